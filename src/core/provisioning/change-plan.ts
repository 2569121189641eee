import type { ProvisionedObject } from "../../store/contract-outbox.js";
import type { ScimOperations } from "../scim/operations.js";
import { type DesiredState, type Plan, planReconcile } from "../scim/plan.js";
import { validateUserForProfile } from "../scim/profiles.js";
import { type RecordedTarget, ScopedReader } from "../scim/scoped.js";
import { recordedMemberships } from "./record.js";

/** What the outbox says changed for one app since its last sync. */
export interface ChangeScope {
  /** People whose attributes or status may have changed. */
  userIds: ReadonlySet<string>;
  /** Groups whose own attributes (name) may have changed: these are read from the target. */
  groupIds: ReadonlySet<string>;
}

export interface ChangePlan {
  /** The part of the desired state the plan covers: the sync records exactly these objects. */
  desired: DesiredState;
  plan: Plan;
}

/**
 * Plans a change against what the records say the target holds, reading only the objects in scope; or
 * answers null when a full reconciliation would cost no more (or there is no record to trust yet).
 *
 * The scope is the outbox's objects plus everything the records disagree with: a person to create (no
 * record), to deactivate or reactivate (recorded status differs), a pushed group whose members differ from
 * the members last written, whatever a sync that died left in doubt, and objects whose last write failed.
 * So a membership change sends one PATCH, however large the directory.
 */
export async function planChange(
  ops: ScimOperations,
  full: DesiredState,
  records: readonly ProvisionedObject[],
  changed: ChangeScope,
): Promise<ChangePlan | null> {
  const userRecords = new Map<string, ProvisionedObject>();
  const groupRecords = new Map<string, ProvisionedObject>();
  for (const r of records) (r.kind === "user" ? userRecords : groupRecords).set(r.objectId, r);

  // Someone inactive who was never provisioned has nothing to send: not created, and out of every group.
  const active = new Set(full.users.filter((u) => u.active).map((u) => u.externalId));
  const onTarget = (id: string) => Boolean(userRecords.get(id)?.remoteId) || active.has(id);
  const users = full.users.filter((u) => {
    const record = userRecords.get(u.externalId);
    if (!record) return u.active;
    // An error (a refused write, or a sync that could not run) is retried: for a refused profile that is
    // free (validation refuses it again without a request).
    if (changed.userIds.has(u.externalId) || record.inDoubt || record.status === "error") return true;
    if (record.status === "deactivated") return u.active;
    return record.status === "active" && !u.active;
  });
  const groups = full.groups
    .map((g) => ({ ...g, memberExternalIds: g.memberExternalIds.filter(onTarget) }))
    .filter((g) => {
      const record = groupRecords.get(g.externalId);
      if (!record?.remoteId || record.status !== "active" || !record.members) return true;
      if (changed.groupIds.has(g.externalId) || record.inDoubt?.length) return true;
      return !sameMembers(record.members, g.memberExternalIds);
    });

  const recorded: RecordedTarget = {
    users: new Map([...userRecords].flatMap(([id, r]) => (r.remoteId ? [[id, r.remoteId] as [string, string]] : []))),
    groups: new Map(
      groups.flatMap((g) => {
        const remoteId = groupRecords.get(g.externalId)?.remoteId;
        return remoteId ? [[g.externalId, { remoteId, displayName: g.displayName }] as const] : [];
      }),
    ),
  };
  const readGroups = new Set(groups.filter((g) => changed.groupIds.has(g.externalId)).map((g) => g.externalId));
  // Reads only: the writes are the same either way. Unrecorded objects cost two look-ups each.
  // A recorded person is one GET; an unrecorded one two look-ups; one the profile refuses, none.
  const userReads = users.reduce(
    (n, u) => n + (recorded.users.has(u.externalId) ? 1 : validateUserForProfile(ops.profile, u).length > 0 ? 0 : 2),
    0,
  );
  const scopedReads = userReads + readGroups.size + (groups.length - recorded.groups.size) * 2;
  const page = ops.profile.maxPageSize;
  const listingReads = Math.ceil(userRecords.size / page) + Math.ceil(groupRecords.size / page);
  if (userRecords.size + groupRecords.size === 0 || scopedReads >= listingReads) return null;

  const reader = new ScopedReader(ops, recorded, { userExternalIds: users.map((u) => u.externalId), readGroups });
  const desired = { users, groups };
  const plan = await planReconcile(reader, desired, {
    ...recordedMemberships(records),
    knownUserRemoteIds: Object.fromEntries(recorded.users),
  });
  return { desired, plan };
}

function sameMembers(recorded: readonly string[], wanted: readonly string[]): boolean {
  const a = new Set(recorded);
  const b = new Set(wanted);
  return a.size === b.size && [...a].every((m) => b.has(m));
}
