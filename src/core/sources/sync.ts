import type { Store } from "../../store/contract.js";
import type { DirectorySourceRow, SyncDue } from "../../store/contract-sources.js";
import { type Actor, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError } from "../errors.js";
import type { Clock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import { LdapConnection } from "./ldap-client.js";
import { type DirectoryRead, readDirectory } from "./ldap-read.js";
import { emptyCounts, type SyncCounts, type SyncKind } from "./model.js";
import type { SyncContext } from "./sync-context.js";
import { planGroups, writeGroups } from "./sync-groups.js";
import { mirrorMemberships } from "./sync-memberships.js";
import { planPeople, writePeople } from "./sync-people.js";

export interface SyncOptions {
  kind: SyncKind;
  /** Go ahead although the sync deactivates more than the source's safety share of its people. */
  confirmDeactivations?: boolean | undefined;
}

export interface SyncReport {
  source: string;
  kind: SyncKind;
  counts: SyncCounts;
  skipped: { dn: string; reason: string }[];
}

/** A sync holds its lease this long at most; one that dies is taken over after it. */
const LEASE_MS = 30 * 60_000;
/** Up to this many changed objects go to provisioning one by one; more make one full sync per app. */
const OUTBOX_ONE_BY_ONE = 100;

export const bindPasswordContext = (sourceId: string) => `directory-source:${sourceId}:bind-password`;

/**
 * One sync of a directory source. Everything is read from the directory first, then written in ONE transaction:
 * a server that fails or goes away half-way through leaves rolebridge exactly as it was, and the next sync starts
 * from the same state (no partial batches to resume or to mark complete). Memory is bounded by the size of the
 * scope (ids, DNs and profiles), as the CSV import's is by its distinct users and groups.
 */
export async function runSync(
  store: Store,
  secrets: SecretBox,
  clock: Clock,
  actor: Actor,
  source: DirectorySourceRow,
  opts: SyncOptions,
): Promise<SyncReport>;
/** A scheduled sync: null when another node holds the lease or already ran it (it is no longer `due`). */
export async function runSync(
  store: Store,
  secrets: SecretBox,
  clock: Clock,
  actor: Actor,
  source: DirectorySourceRow,
  opts: SyncOptions,
  due: SyncDue,
): Promise<SyncReport | null>;
export async function runSync(
  store: Store,
  secrets: SecretBox,
  clock: Clock,
  actor: Actor,
  source: DirectorySourceRow,
  opts: SyncOptions,
  due?: SyncDue,
): Promise<SyncReport | null> {
  const now = clock.now();
  const leaseUntil = new Date(+now + LEASE_MS).toISOString();
  if (!(await store.directorySources.claim(source.id, now.toISOString(), leaseUntil, due))) {
    if (due !== undefined) return null;
    throw new DomainError("conflict", `a sync of ${source.name} is already running`, { source: source.name });
  }
  const kind: SyncKind = opts.kind === "incremental" && source.cursor ? "incremental" : "full";
  try {
    const read = await readSource(source, secrets, kind);

    const at = clock.now().toISOString();
    const report = await store.transaction(async (tx) => {
      const ctx: SyncContext = {
        tx,
        source,
        read,
        peopleComplete: kind === "full",
        groupsComplete: kind === "full" || source.settings.nestedGroups,
        confirmDeactivations: opts.confirmDeactivations ?? false,
        actor,
        clock,
        at,
        counts: { ...emptyCounts(), people: read.people.length, groups: read.groups.length },
        userIds: new Map(),
        changedUsers: new Set(),
        changedGroups: new Set(),
        removedGroups: new Set(),
        skippedSamples: [],
      };
      for (const u of read.unusable) {
        ctx.counts.skipped++;
        if (ctx.skippedSamples.length < 20) ctx.skippedSamples.push(u);
      }
      const people = await planPeople(ctx);

      const groups = await planGroups(ctx);

      assertSafe(ctx, people.deactivations, people.activeBefore, groups.removals.length, groups.linkedBefore);
      await writePeople(ctx, people);

      await writeGroups(ctx, groups);

      await mirrorMemberships(ctx, groups.groupIds);

      await enqueueProvisioning(ctx);

      const result: SyncReport = { source: source.name, kind, counts: ctx.counts, skipped: ctx.skippedSamples };
      await tx.log.append(
        logEvent(clock, actor, "directory.source.sync", sourceTarget(source), {
          kind,
          counts: ctx.counts,
          skipped: ctx.skippedSamples,
        }),
      );
      await tx.directorySources.recordSync(
        source.id,
        { at, kind, status: "succeeded", error: null, counts: ctx.counts },
        read.marker,
      );
      return result;
    });

    if (report.counts.created + report.counts.membershipsAdded >= 10_000) await store.analyze();
    return report;
  } catch (err) {
    await recordFailure(store, clock, actor, source, kind, err);
    throw err;
  } finally {
    await store.directorySources.release(source.id);
  }
}

const sourceTarget = (s: DirectorySourceRow) => ({ type: "directory_source", id: s.id, display: s.name });

async function readSource(source: DirectorySourceRow, secrets: SecretBox, kind: SyncKind): Promise<DirectoryRead> {
  const password = secrets.open(source.bindPasswordSealed, bindPasswordContext(source.id));
  // Two connections: people and groups are read at the same time (see readDirectory).
  const opened = await Promise.allSettled([
    LdapConnection.open(source.settings, password),
    LdapConnection.open(source.settings, password),
  ]);
  const conns = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
  try {
    for (const o of opened) if (o.status === "rejected") throw o.reason;
    const since = kind === "incremental" ? source.cursor : null;
    // Nested groups are flattened, so a change deep down reaches every group above it: all groups are read again
    // (groups are few beside people; people are still read by change).
    return await readDirectory(
      conns[0] as LdapConnection,
      source.settings,
      { people: since, groups: source.settings.nestedGroups ? null : since },
      conns[1] as LdapConnection,
    );
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

function assertSafe(
  ctx: SyncContext,
  deactivations: number,
  activeBefore: number,
  removals: number,
  groupsBefore: number,
) {
  if (ctx.confirmDeactivations) return;
  const share = ctx.source.settings.maxDeactivationShare;
  const tooManyPeople = deactivations > 0 && deactivations > share * activeBefore;
  const tooManyGroups = removals > 0 && removals > share * groupsBefore;
  if (!tooManyPeople && !tooManyGroups) return;
  const what = tooManyPeople
    ? `deactivate ${deactivations} of the ${activeBefore} active people`
    : `remove ${removals} of the ${groupsBefore} groups`;
  throw new DomainError(
    "conflict",
    `the sync of ${ctx.source.name} would ${what} (more than ${Math.round(share * 100)} %); nothing was changed. Check the base DNs and filters, then confirm with --confirm-deactivations (API: confirmDeactivations) if this is intended`,
    {
      needsConfirmation: true,
      wouldDeactivate: deactivations,
      activePeople: activeBefore,
      wouldRemoveGroups: removals,
      groups: groupsBefore,
      maxDeactivationShare: share,
    },
  );
}

async function enqueueProvisioning(ctx: SyncContext): Promise<void> {
  const { tx, at } = ctx;
  const total = ctx.changedUsers.size + ctx.changedGroups.size + ctx.removedGroups.size;
  if (total === 0) return;
  if (total > OUTBOX_ONE_BY_ONE) {
    // A bulk change is cheaper to take in with one full sync per provisioning app, as after a CSV import.
    await enqueueChange(tx, { kind: "directory", objectId: `source:${ctx.source.name}` }, at);
    return;
  }
  for (const id of ctx.changedUsers) await enqueueChange(tx, { kind: "user", objectId: id }, at);
  for (const id of ctx.changedGroups) await enqueueChange(tx, { kind: "membership", objectId: id }, at);
  for (const id of ctx.removedGroups) await enqueueChange(tx, { kind: "group", objectId: id }, at);
}

async function recordFailure(
  store: Store,
  clock: Clock,
  actor: Actor,
  source: DirectorySourceRow,
  kind: SyncKind,
  err: unknown,
): Promise<void> {
  const needsConfirmation = err instanceof DomainError && err.details?.needsConfirmation === true;
  const message = err instanceof Error ? err.message : String(err);
  const at = clock.now().toISOString();
  await store.transaction(async (tx) => {
    await tx.directorySources.recordSync(
      source.id,
      { at, kind, status: needsConfirmation ? "needs_confirmation" : "failed", error: message, counts: null },
      null,
    );
    await tx.log.append(
      logEvent(
        clock,
        actor,
        "directory.source.sync",
        sourceTarget(source),
        { kind, error: message, ...(err instanceof DomainError ? { details: err.details } : {}) },
        "FAILURE",
      ),
    );
  });
}
