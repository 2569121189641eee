import type { FieldError } from "../errors.js";
import { type DesiredGroup, type DesiredUser, diffUser, type RemoteUser, type UserAttribute } from "./model.js";
import type { ScimOperations } from "./operations.js";
import { planGroups } from "./plan-groups.js";
import { validateUserForProfile } from "./profiles.js";

export interface DesiredState {
  users: DesiredUser[];
  groups: DesiredGroup[];
}

/** What planning reads from the target: a full listing (ScimOperations) or a scoped view of it. */
export type PlanReader = Pick<
  ScimOperations,
  | "profile"
  | "listUsers"
  | "listGroups"
  | "findUserByUserName"
  | "findUserByExternalId"
  | "findGroupByExternalId"
  | "findGroupByDisplayName"
  | "isMember"
>;

export interface PlanOptions {
  /**
   * Memberships last known to be on the target, by group externalId (user externalIds), as the
   * storage side recorded them from earlier results. Used where the target cannot list members.
   */
  knownMemberships?: Readonly<Record<string, readonly string[]>>;
  /** Deletion happens only for the ids named here: the admin's explicit request. */
  deleteUserExternalIds?: readonly string[];
  deleteGroupExternalIds?: readonly string[];
  /**
   * Remote ids of users outside the desired state handed in (a plan scoped to a change), so memberships
   * of people the plan does not otherwise touch can still be written.
   */
  knownUserRemoteIds?: Readonly<Record<string, string>>;
  /**
   * Members (user externalIds) of each group whose presence on the target is unknown: a write to them was
   * started and its outcome never recorded. Their add or remove is sent again; both are idempotent.
   */
  inDoubtMembers?: Readonly<Record<string, readonly string[]>>;
}

/** A member in a membership change: adds may await a user created earlier in the same run. */
export interface MemberRef {
  externalId: string | null;
  remoteId: string | null;
}

export type PlanOp =
  | { kind: "rejectUser"; externalId: string; errors: FieldError[] }
  /** `lookedUp`: the plan already asked the target for this user, so the create need not ask again. */
  | { kind: "createUser"; externalId: string; user: DesiredUser; lookedUp: boolean }
  | {
      kind: "updateUser" | "deactivateUser" | "reactivateUser";
      externalId: string;
      remoteId: string;
      user: DesiredUser;
      changes: UserAttribute[];
    }
  | { kind: "deleteUser" | "deleteGroup"; externalId: string; remoteId: string }
  | { kind: "createGroup"; externalId: string; displayName: string; members: MemberRef[]; lookedUp: boolean }
  | { kind: "updateGroup"; externalId: string; remoteId: string; displayName?: string; setExternalId?: string }
  | { kind: "addMembers" | "removeMembers"; externalId: string; remoteId: string | null; members: MemberRef[] };

export type PlanOpKind = PlanOp["kind"];

export interface Plan {
  profile: string;
  /** Whether each listing read for the plan was complete (not cut by a legacy cap or ignored paging). */
  complete: { users: boolean; groups: boolean };
  ops: PlanOp[];
  /** Remote ids already known before anything is applied, by externalId. */
  userRemoteIds: Record<string, string>;
  groupRemoteIds: Record<string, string>;
  /** Group memberships (user externalIds) as read or trusted before the plan. */
  currentMemberships: Record<string, string[]>;
}

const byExternalId = <T extends { externalId: string }>(a: T, b: T) =>
  a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0;

/**
 * Reads the target fully and computes the fewest operations that make it match the desired
 * state. Nothing is written: a dry run is exactly this plan. Order is deterministic (users,
 * then groups, each by externalId) so two runs over the same state print the same diff.
 */
export async function planReconcile(ops: PlanReader, desired: DesiredState, options: PlanOptions = {}): Promise<Plan> {
  const profile = ops.profile;
  const plan: Plan = {
    profile: profile.name,
    complete: { users: false, groups: false },
    ops: [],
    userRemoteIds: {},
    groupRemoteIds: {},
    currentMemberships: {},
  };
  const remoteUsers = await ops.listUsers();
  plan.complete.users = remoteUsers.complete;
  const usersByExternalId = new Map<string, RemoteUser>();
  const usersByName = new Map<string, RemoteUser>();
  for (const user of remoteUsers.items) {
    if (user.externalId) usersByExternalId.set(user.externalId, user);
    usersByName.set(user.userName.toLowerCase(), user);
  }
  const claimed = new Map<string, string>();
  const unprovisioned = new Set<string>();
  const externalOfRemote = new Map<string, string>();

  for (const externalId of [...(options.deleteUserExternalIds ?? [])].sort()) {
    const remote =
      usersByExternalId.get(externalId) ?? (remoteUsers.complete ? null : await ops.findUserByExternalId(externalId));
    if (remote) plan.ops.push({ kind: "deleteUser", externalId, remoteId: remote.id });
  }
  const deletedUsers = new Set(options.deleteUserExternalIds ?? []);

  for (const user of [...desired.users].sort(byExternalId)) {
    if (deletedUsers.has(user.externalId)) continue;
    const errors = validateUserForProfile(profile, user);
    let remote = usersByExternalId.get(user.externalId) ?? usersByName.get(user.userName.toLowerCase()) ?? null;
    // A capped listing proves nothing about absence: ask the target before planning a create.
    const lookedUp = !remote && !remoteUsers.complete && errors.length === 0;
    if (lookedUp) {
      remote = (await ops.findUserByExternalId(user.externalId)) ?? (await ops.findUserByUserName(user.userName));
    }
    const owner = remote ? claimed.get(remote.id) : undefined;
    if (owner !== undefined) errors.push({ path: "/userName", message: `is already provisioned for ${owner}` });
    if (errors.length > 0) {
      plan.ops.push({ kind: "rejectUser", externalId: user.externalId, errors });
      // A person already on the target keeps their memberships even while their profile is invalid.
      if (remote && owner === undefined) plan.userRemoteIds[user.externalId] = remote.id;
      continue;
    }
    if (!remote) {
      // An inactive person who was never provisioned stays unprovisioned, and out of groups.
      if (user.active) plan.ops.push({ kind: "createUser", externalId: user.externalId, user, lookedUp });
      else unprovisioned.add(user.externalId);
      continue;
    }
    claimed.set(remote.id, user.externalId);
    externalOfRemote.set(remote.id, user.externalId);
    plan.userRemoteIds[user.externalId] = remote.id;
    const changes = diffUser(user, remote).filter((a) => a !== "active" || profile.supportsActive);
    if (changes.length === 0) continue;
    const kind = !changes.includes("active") ? "updateUser" : user.active ? "reactivateUser" : "deactivateUser";
    plan.ops.push({ kind, externalId: user.externalId, remoteId: remote.id, user, changes });
  }
  for (const user of remoteUsers.items) {
    if (user.externalId && !externalOfRemote.has(user.id)) externalOfRemote.set(user.id, user.externalId);
  }
  for (const [externalId, remoteId] of Object.entries(options.knownUserRemoteIds ?? {})) {
    if (plan.userRemoteIds[externalId] !== undefined || deletedUsers.has(externalId)) continue;
    plan.userRemoteIds[externalId] = remoteId;
    if (!externalOfRemote.has(remoteId)) externalOfRemote.set(remoteId, externalId);
  }

  const remoteIdOf = (externalId: string) => plan.userRemoteIds[externalId] ?? usersByExternalId.get(externalId)?.id;
  await planGroups(ops, desired, options, plan, { externalOfRemote, unprovisioned, remoteIdOf });
  return plan;
}
