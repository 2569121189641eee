import type { Repos } from "../../store/contract.js";
import type { DirectorySourceRow } from "../../store/contract-sources.js";
import type { Actor } from "../audit.js";
import type { Clock } from "../ids.js";
import type { DirectoryRead } from "./ldap-read.js";
import type { SyncCounts } from "./model.js";

/** One sync's writes, all in the caller's transaction. */
export interface SyncContext {
  tx: Repos;
  source: DirectorySourceRow;
  read: DirectoryRead;
  /** Everything in scope was read: linked people absent from `read` left the scope and are deactivated. */
  peopleComplete: boolean;
  /** Every group in scope was read: linked groups absent from `read` are gone from the directory. */
  groupsComplete: boolean;
  confirmDeactivations: boolean;
  actor: Actor;
  clock: Clock;
  at: string;
  counts: SyncCounts;
  /** Person external id -> user id, for every person read (linked before or created now). */
  userIds: Map<string, string>;
  /** Objects changed, for provisioning's outbox. */
  changedUsers: Set<string>;
  changedGroups: Set<string>;
  removedGroups: Set<string>;
  /** The first few entries skipped and why, for the System Log. */
  skippedSamples: { dn: string; reason: string }[];
}

const SAMPLES = 20;

export function skip(ctx: SyncContext, dn: string, reason: string): void {
  ctx.counts.skipped++;
  if (ctx.skippedSamples.length < SAMPLES) ctx.skippedSamples.push({ dn, reason });
}
