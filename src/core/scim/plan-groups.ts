import type { DesiredGroup, RemoteGroup } from "./model.js";
import { chunk } from "./paging.js";
import type { DesiredState, MemberRef, Plan, PlanOptions, PlanReader } from "./plan.js";

const byExternalId = <T extends { externalId: string }>(a: T, b: T) =>
  a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;

/**
 * The group half of a plan: creates, renames and membership batches for the pushed groups, after the users'
 * half has settled who is on the target (`users`).
 */
export async function planGroups(
  ops: PlanReader,
  desired: DesiredState,
  options: PlanOptions,
  plan: Plan,
  users: {
    externalOfRemote: Map<string, string>;
    unprovisioned: Set<string>;
    remoteIdOf: (externalId: string) => string | undefined;
  },
): Promise<void> {
  const { externalOfRemote, unprovisioned } = users;
  const profile = ops.profile;
  const remoteGroups = await ops.listGroups();
  plan.complete.groups = remoteGroups.complete;
  const groupsByExternalId = new Map<string, RemoteGroup>();
  const groupsByName = new Map<string, RemoteGroup>();
  for (const group of remoteGroups.items) {
    if (group.externalId) groupsByExternalId.set(group.externalId, group);
    groupsByName.set(group.displayName.toLowerCase(), group);
  }
  for (const externalId of [...(options.deleteGroupExternalIds ?? [])].sort()) {
    const remote =
      groupsByExternalId.get(externalId) ??
      (remoteGroups.complete ? null : await ops.findGroupByExternalId(externalId));
    if (remote) plan.ops.push({ kind: "deleteGroup", externalId, remoteId: remote.id });
  }
  const deletedGroups = new Set(options.deleteGroupExternalIds ?? []);
  const memberRef = (externalId: string): MemberRef => ({
    externalId,
    remoteId: plan.userRemoteIds[externalId] ?? null,
  });

  for (const group of [...desired.groups].sort(byExternalId)) {
    if (deletedGroups.has(group.externalId)) continue;
    let remote = groupsByExternalId.get(group.externalId) ?? groupsByName.get(group.displayName.toLowerCase()) ?? null;
    const lookedUp = !remote && !remoteGroups.complete;
    if (lookedUp) {
      remote =
        (await ops.findGroupByExternalId(group.externalId)) ?? (await ops.findGroupByDisplayName(group.displayName));
    }
    const wanted = [...new Set(group.memberExternalIds)].filter((id) => !unprovisioned.has(id)).sort();
    if (!remote) {
      plan.currentMemberships[group.externalId] = [];
      const inCreate = wanted.slice(0, profile.maxMembersInCreate);
      plan.ops.push({
        kind: "createGroup",
        externalId: group.externalId,
        displayName: group.displayName,
        members: inCreate.map(memberRef),
        lookedUp,
      });
      pushMemberBatches(
        plan,
        "addMembers",
        group.externalId,
        null,
        wanted.slice(inCreate.length).map(memberRef),
        profile.maxMembershipOpsPerPatch,
      );
      continue;
    }
    plan.groupRemoteIds[group.externalId] = remote.id;
    if (remote.displayName !== group.displayName || remote.externalId !== group.externalId) {
      plan.ops.push({
        kind: "updateGroup",
        externalId: group.externalId,
        remoteId: remote.id,
        ...(remote.displayName !== group.displayName ? { displayName: group.displayName } : {}),
        ...(remote.externalId !== group.externalId ? { setExternalId: group.externalId } : {}),
      });
    }
    const current = await currentMembers(ops, remote, group, wanted, options, plan, externalOfRemote);
    plan.currentMemberships[group.externalId] = current.filter((m) => m.externalId !== null).map((m) => m.externalId!);
    const currentExternal = new Set(current.map((m) => m.externalId));
    const wantedSet = new Set(wanted);
    // Only where members are not read back: a listed membership is exact whatever a dead sync did.
    const doubt = new Set(remote.memberIds === null ? (options.inDoubtMembers?.[group.externalId] ?? []) : []);
    const adds = wanted.filter((id) => !currentExternal.has(id) || doubt.has(id)).map(memberRef);
    const removes = current.filter((m) => m.externalId === null || !wantedSet.has(m.externalId));
    for (const externalId of [...doubt].sort()) {
      const remoteId = users.remoteIdOf(externalId);
      if (!wantedSet.has(externalId) && !currentExternal.has(externalId) && remoteId)
        removes.push({ externalId, remoteId });
    }
    // Adds before removes: a batch never empties a group that is meant to keep members.
    pushMemberBatches(plan, "addMembers", group.externalId, remote.id, adds, profile.maxMembershipOpsPerPatch);
    pushMemberBatches(plan, "removeMembers", group.externalId, remote.id, removes, profile.maxMembershipOpsPerPatch);
  }
}

async function currentMembers(
  ops: PlanReader,
  remote: RemoteGroup,
  group: DesiredGroup,
  wanted: string[],
  options: PlanOptions,
  plan: Plan,
  externalOfRemote: Map<string, string>,
): Promise<MemberRef[]> {
  if (remote.memberIds !== null) {
    return remote.memberIds
      .map((remoteId) => ({ externalId: externalOfRemote.get(remoteId) ?? null, remoteId }))
      .sort(byRef);
  }
  const known = options.knownMemberships?.[group.externalId];
  if (known) {
    // A remembered member whose user is gone from the target cannot still be in the group.
    return [...new Set(known)]
      .sort()
      .filter((externalId) => plan.userRemoteIds[externalId] !== undefined)
      .map((externalId) => ({ externalId, remoteId: plan.userRemoteIds[externalId]! }));
  }
  const members: MemberRef[] = [];
  for (const externalId of wanted) {
    const remoteId = plan.userRemoteIds[externalId];
    if (remoteId && (await ops.isMember(remote.id, remoteId))) members.push({ externalId, remoteId });
  }
  return members;
}

const byRef = (a: MemberRef, b: MemberRef) => {
  const x = a.externalId ?? `~${a.remoteId}`;
  const y = b.externalId ?? `~${b.remoteId}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

function pushMemberBatches(
  plan: Plan,
  kind: "addMembers" | "removeMembers",
  externalId: string,
  remoteId: string | null,
  members: MemberRef[],
  size: number,
): void {
  for (const batch of chunk(members, size)) plan.ops.push({ kind, externalId, remoteId, members: batch });
}
