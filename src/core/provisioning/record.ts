import type { Repos } from "../../store/contract.js";
import type { ProvisionedObject } from "../../store/contract-outbox.js";
import type { DesiredState, Plan } from "../scim/plan.js";
import type { ApplyOutcome } from "../scim/reconcile.js";

const USER_OPS = new Set(["createUser", "updateUser", "deactivateUser", "reactivateUser", "rejectUser", "deleteUser"]);

/**
 * Writes what a sync left on the target into the status table: every desired user and pushed group with its
 * remote id and status (the last error on failure), and each group's members as written. The next sync reads
 * them back: users no longer assigned are deactivated, and AWS's unlistable memberships are known. An object
 * whose write succeeded is no longer in doubt; one whose write failed keeps its doubt (a timed-out PATCH may
 * still have landed).
 */
export async function recordSync(
  tx: Repos,
  appId: string,
  desired: DesiredState,
  plan: Plan,
  outcome: ApplyOutcome,
  at: string,
): Promise<void> {
  const errors = new Map<string, string>();
  const remote = new Map<string, string>([
    ...Object.entries(plan.userRemoteIds),
    ...Object.entries(plan.groupRemoteIds),
  ]);
  for (const r of outcome.results) {
    const key = `${USER_OPS.has(r.kind) ? "user" : "group"}:${r.externalId}`;
    if (r.remoteId) remote.set(r.externalId, r.remoteId);
    if (r.status === "error") errors.set(key, r.error?.message ?? "failed");
  }
  const before = new Map((await tx.provisioned.listForApp(appId)).map((o) => [`${o.kind}:${o.objectId}`, o]));
  const write = (o: Omit<ProvisionedObject, "appId" | "syncedAt" | "inDoubt">) => {
    const key = `${o.kind}:${o.objectId}`;
    const inDoubt = errors.has(key) ? keptDoubt(before.get(key)) : null;
    return tx.provisioned.upsert({ ...o, appId, inDoubt, syncedAt: at });
  };
  for (const u of desired.users) {
    const remoteId = remote.get(u.externalId) ?? null;
    const error = errors.get(`user:${u.externalId}`);
    if (!remoteId && !error) continue; // never on the target and nothing to report (e.g. inactive, never created)
    await write({
      kind: "user",
      objectId: u.externalId,
      remoteId,
      status: error ? "error" : u.active ? "active" : "deactivated",
      lastError: error ?? null,
      members: null,
    });
  }
  for (const g of desired.groups) {
    const error = errors.get(`group:${g.externalId}`);
    await write({
      kind: "group",
      objectId: g.externalId,
      remoteId: remote.get(g.externalId) ?? null,
      status: error ? "error" : "active",
      lastError: error ?? null,
      members: outcome.memberships[g.externalId] ?? null,
    });
  }
}

/**
 * The doubt an object keeps through a failed write or a sync that could not run: the marks made before its
 * writes. A group whose members were trusted stays trusted (`[]`: nothing in doubt) — its error says a write
 * failed, and the marks say exactly which members that write concerned.
 */
function keptDoubt(before: ProvisionedObject | undefined): string[] | null {
  if (before?.inDoubt) return before.inDoubt;
  return before?.kind === "group" && before.status === "active" ? [] : null;
}

/**
 * What the records say of each group's members, as planning takes it: the members last written where they
 * can be trusted (AWS never lists them), and the members a dead or failed write left in doubt.
 */
export function recordedMemberships(records: readonly ProvisionedObject[]): {
  knownMemberships: Record<string, string[]>;
  inDoubtMembers: Record<string, string[]>;
} {
  const knownMemberships: Record<string, string[]> = {};
  const inDoubtMembers: Record<string, string[]> = {};
  for (const o of records) {
    if (o.kind !== "group") continue;
    if (o.members && (o.status === "active" || o.inDoubt !== null)) knownMemberships[o.objectId] = o.members;
    if (o.inDoubt?.length) inDoubtMembers[o.objectId] = o.inDoubt;
  }
  return { knownMemberships, inDoubtMembers };
}

/**
 * A sync that could not run at all (token refused, target unreachable): every object it was to bring in
 * line shows the error, keeping what is known of it, so the status pages say why nothing moves.
 */
export async function recordSyncFailure(tx: Repos, appId: string, desired: DesiredState, message: string, at: string) {
  const known = new Map((await tx.provisioned.listForApp(appId)).map((o) => [`${o.kind}:${o.objectId}`, o]));
  const objects = [
    ...desired.users.map((u) => ({ kind: "user" as const, objectId: u.externalId })),
    ...desired.groups.map((g) => ({ kind: "group" as const, objectId: g.externalId })),
  ];
  for (const { kind, objectId } of objects) {
    const before = known.get(`${kind}:${objectId}`);
    await tx.provisioned.upsert({
      appId,
      kind,
      objectId,
      remoteId: before?.remoteId ?? null,
      status: "error",
      lastError: message.slice(0, 2000),
      members: before?.members ?? null,
      inDoubt: keptDoubt(before),
      syncedAt: at,
    });
  }
}
