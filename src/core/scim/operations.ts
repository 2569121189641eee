import type { BudgetLimits } from "./budgets.js";
import type { ScimClient } from "./client.js";
import { ScimError } from "./errors.js";
import {
  type DesiredGroup,
  type DesiredUser,
  diffUser,
  fromScimGroup,
  fromScimUser,
  type RemoteGroup,
  type RemoteUser,
  SCHEMA_GROUP,
  SCHEMA_PATCH,
  sameName,
  toScimUser,
  type UserAttribute,
} from "./model.js";
import { chunk, type Listing, listAllResources, PagingDiscovery, type PagingMethod, resourcesOf } from "./paging.js";
import { patchOp, type TargetProfile } from "./profiles.js";

type Json = Record<string, unknown>;

export interface Adoptable<T> {
  remote: T;
  /** The object already existed on the target (found by lookup, or a create answered 409). */
  adopted: boolean;
}

/** SCIM filter string literal: quotes and backslashes escaped (RFC 7644 uses JSON string rules). */
export const filterValue = (value: string) => JSON.stringify(value);

const EMPTY_BODY = { detail: null, status: null, scimType: null, requestId: null };

const isConflict = (error: unknown) => error instanceof ScimError && error.httpStatus === 409;

/**
 * Idempotent single-object operations against one target. Each either leaves the target in the
 * asked-for state or throws a ScimError; none of them creates a second copy of anything.
 */
export class ScimOperations {
  private readonly discovery: PagingDiscovery;
  readonly limits: BudgetLimits | null;

  constructor(
    readonly client: ScimClient,
    readonly profile: TargetProfile,
    /**
     * `paging`: where the target's advertised paging is remembered, shared by the connections to one target.
     * `limits`: the rates the client's budgets were made with; knowing them, applyPlan paces membership writes
     * by time window (membership-windows.ts) instead of in the planned batches.
     */
    options: { paging?: PagingDiscovery; limits?: BudgetLimits } = {},
  ) {
    this.discovery = options.paging ?? new PagingDiscovery();
    this.limits = options.limits ?? null;
  }

  /** The paging listings use: the profile's, or what the server advertises (read once, on the first listing). */
  pagingMethod(): Promise<PagingMethod> {
    const paging = this.profile.paging;
    return paging === "advertised" ? this.discovery.method(this.client) : Promise.resolve(paging);
  }

  async listUsers(): Promise<Listing<RemoteUser>> {
    const method = await this.pagingMethod();
    const { items, complete } = await listAllResources(this.client, this.profile, "/Users", method);
    return { items: items.map(fromScimUser), complete };
  }

  async listGroups(): Promise<Listing<RemoteGroup>> {
    const method = await this.pagingMethod();
    const { items, complete } = await listAllResources(this.client, this.profile, "/Groups", method);
    const listsMembers = this.profile.membershipRead === "group-resource";
    return { items: items.map((r) => fromScimGroup(r, listsMembers)), complete };
  }

  async findUserByUserName(userName: string): Promise<RemoteUser | null> {
    const [found] = await this.filter("/Users", `userName eq ${filterValue(userName)}`);
    const user = found ? fromScimUser(found) : null;
    // Servers compare userName case-insensitively; a sloppy one might answer a near miss.
    return user && sameName(user.userName, userName) ? user : null;
  }

  /** Our own id on the target: finds a person even after a rename we have not yet sent. */
  async findUserByExternalId(externalId: string): Promise<RemoteUser | null> {
    const found = (await this.filter("/Users", `externalId eq ${filterValue(externalId)}`)).map(fromScimUser);
    return found.find((u) => u.externalId === externalId) ?? null;
  }

  async findGroupByExternalId(externalId: string): Promise<RemoteGroup | null> {
    const found = await this.filter("/Groups", `externalId eq ${filterValue(externalId)}`);
    const groups = found.map((r) => fromScimGroup(r, this.profile.membershipRead === "group-resource"));
    return groups.find((g) => g.externalId === externalId) ?? null;
  }

  async findGroupByDisplayName(displayName: string): Promise<RemoteGroup | null> {
    const found = await this.filter("/Groups", `displayName eq ${filterValue(displayName)}`);
    const match = found.map((r) => fromScimGroup(r, this.profile.membershipRead === "group-resource"));
    return match.find((g) => g.displayName === displayName) ?? match[0] ?? null;
  }

  /** Membership test for targets that never list members (AWS): one request per pair. */
  async isMember(groupId: string, userId: string): Promise<boolean> {
    const found = await this.filter("/Groups", `id eq ${filterValue(groupId)} and members eq ${filterValue(userId)}`);
    return found.length > 0;
  }

  /**
   * Look up by userName (and by externalId, which survives a rename), then POST. A 409 — typically our own earlier POST whose response was
   * lost and retried — is resolved by looking up again and adopting what is there. An adopted
   * user is then brought to the desired attributes, so the outcome is the same either way.
   */
  /**
   * `listedAbsent`: a complete listing read for this run did not have the user; on a server that answers
   * duplicates with 409 that stands in for the lookup (a racing create still gets 409 and is adopted).
   */
  async createUser(user: DesiredUser, opts: { listedAbsent?: boolean } = {}): Promise<Adoptable<RemoteUser>> {
    if (!(opts.listedAbsent && this.profile.conflictsOnDuplicateNames)) {
      const existing =
        (await this.findUserByUserName(user.userName)) ?? (await this.findUserByExternalId(user.externalId));
      if (existing) return { remote: await this.converge(existing, user), adopted: true };
    }
    try {
      const { body } = await this.client.request("POST", "/Users", { body: toScimUser(user) });
      const created = fromScimUser(body);
      if (created.id) return { remote: created, adopted: false };
      // Created, but the answer did not say as what (empty or unreadable body): ask.
      const found = await this.findUserByUserName(user.userName);
      if (!found) throw new ScimError("permanent", null, EMPTY_BODY, `POST /Users for ${user.userName} returned no id`);
      return { remote: found, adopted: false };
    } catch (error) {
      if (!isConflict(error)) throw error;
      const winner = await this.findUserByUserName(user.userName);
      if (!winner) throw error;
      return { remote: await this.converge(winner, user), adopted: true };
    }
  }

  /** Writes only the given changed attributes (PATCH), or the whole user where the profile prefers PUT. */
  async updateUser(remoteId: string, user: DesiredUser, changes: UserAttribute[]): Promise<void> {
    if (changes.length === 0) return;
    if (this.profile.userUpdate === "put") {
      await this.client.request("PUT", `/Users/${encodeURIComponent(remoteId)}`, { body: toScimUser(user) });
      return;
    }
    const operations = changes.map((attribute) => this.userPatchOperation(attribute, user));
    await this.patch(`/Users/${encodeURIComponent(remoteId)}`, operations);
  }

  /** Unassign, suspend and deprovision all land here: the person stays, signed out of AWS. */
  async deactivateUser(remoteId: string): Promise<void> {
    await this.patch(`/Users/${encodeURIComponent(remoteId)}`, [this.replace("active", false)]);
  }

  async reactivateUser(remoteId: string): Promise<void> {
    await this.patch(`/Users/${encodeURIComponent(remoteId)}`, [this.replace("active", true)]);
  }

  /** Only on an admin's explicit request; a 404 means it is already gone, which is what was asked. */
  async deleteUser(remoteId: string): Promise<void> {
    await this.deleteResource(`/Users/${encodeURIComponent(remoteId)}`);
  }

  async deleteGroup(remoteId: string): Promise<void> {
    await this.deleteResource(`/Groups/${encodeURIComponent(remoteId)}`);
  }

  /**
   * Look up by displayName (and externalId), then POST with at most the profile's create limit of members; the
   * rest go in PATCH batches. An adopted group gets every given member added: adds of existing
   * members change nothing, so this is safe when we cannot see who is already in.
   */
  async createGroup(
    group: Omit<DesiredGroup, "memberExternalIds">,
    memberIds: string[],
    opts: { listedAbsent?: boolean } = {},
  ): Promise<Adoptable<RemoteGroup>> {
    if (!(opts.listedAbsent && this.profile.conflictsOnDuplicateNames)) {
      const existing =
        (await this.findGroupByDisplayName(group.displayName)) ?? (await this.findGroupByExternalId(group.externalId));
      if (existing) return { remote: await this.adoptGroup(existing, group, memberIds), adopted: true };
    }
    const inCreate = memberIds.slice(0, this.profile.maxMembersInCreate);
    const body: Json = {
      schemas: [SCHEMA_GROUP],
      displayName: group.displayName,
      externalId: group.externalId,
      members: inCreate.map((value) => ({ value })),
    };
    let created: RemoteGroup;
    try {
      const response = await this.client.request("POST", "/Groups", { body });
      created = fromScimGroup(response.body, false);
      if (!created.id) {
        const found = await this.findGroupByDisplayName(group.displayName);
        if (!found)
          throw new ScimError("permanent", null, EMPTY_BODY, `POST /Groups for ${group.displayName} returned no id`);
        created = found;
      }
    } catch (error) {
      if (!isConflict(error)) throw error;
      const winner = await this.findGroupByDisplayName(group.displayName);
      if (!winner) throw error;
      return { remote: await this.adoptGroup(winner, group, memberIds), adopted: true };
    }
    await this.addMembers(created.id, memberIds.slice(inCreate.length));
    return { remote: { ...created, memberIds: [...memberIds] }, adopted: false };
  }

  async updateGroup(remoteId: string, changes: { displayName?: string; externalId?: string }): Promise<void> {
    const operations = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([path, value]) => this.replace(path, value));
    if (operations.length > 0) await this.patch(`/Groups/${encodeURIComponent(remoteId)}`, operations);
  }

  /** One operation per member, at most the profile's limit per PATCH. */
  async addMembers(groupId: string, userIds: string[]): Promise<void> {
    for (const batch of chunk(userIds, this.profile.maxMembershipOpsPerPatch))
      await this.patchMembers(groupId, "add", batch);
  }

  /**
   * Each removal names its member (AWS's documented form, which RFC 7644 servers accept too);
   * a bare `remove members` would empty the group, and AWS refuses it.
   */
  async removeMembers(groupId: string, userIds: string[]): Promise<void> {
    for (const batch of chunk(userIds, this.profile.maxMembershipOpsPerPatch))
      await this.patchMembers(groupId, "remove", batch);
  }

  async patchMembers(groupId: string, op: "add" | "remove", userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const operations = userIds.map((value) => ({ op: patchOp(this.profile, op), path: "members", value: [{ value }] }));
    await this.patch(`/Groups/${encodeURIComponent(groupId)}`, operations);
  }

  private async converge(remote: RemoteUser, user: DesiredUser): Promise<RemoteUser> {
    await this.updateUser(remote.id, user, diffUser(user, remote));
    return { ...user, id: remote.id };
  }

  private async adoptGroup(remote: RemoteGroup, group: Omit<DesiredGroup, "memberExternalIds">, memberIds: string[]) {
    const known = new Set(remote.memberIds ?? []);
    await this.updateGroup(remote.id, {
      displayName: remote.displayName === group.displayName ? undefined : group.displayName,
      externalId: remote.externalId === group.externalId ? undefined : group.externalId,
    });
    await this.addMembers(
      remote.id,
      memberIds.filter((id) => !known.has(id)),
    );
    return {
      ...remote,
      displayName: group.displayName,
      externalId: group.externalId,
      memberIds: [...new Set([...known, ...memberIds])],
    };
  }

  private userPatchOperation(attribute: UserAttribute, user: DesiredUser): Json {
    const paths: Record<UserAttribute, string> = {
      userName: "userName",
      displayName: "displayName",
      givenName: "name.givenName",
      familyName: "name.familyName",
      email: "emails",
      active: "active",
      externalId: "externalId",
    };
    const value = user[attribute];
    if (value === "") return { op: patchOp(this.profile, "remove"), path: paths[attribute] };
    if (attribute === "email") return this.replace("emails", [{ value, type: "work", primary: true }]);
    return this.replace(paths[attribute], value);
  }

  private replace(path: string, value: unknown): Json {
    return { op: patchOp(this.profile, "replace"), path, value };
  }

  private async patch(path: string, operations: Json[]): Promise<void> {
    await this.client.request("PATCH", path, { body: { schemas: [SCHEMA_PATCH], Operations: operations } });
  }

  private async deleteResource(path: string): Promise<void> {
    try {
      await this.client.request("DELETE", path);
    } catch (error) {
      if (!(error instanceof ScimError && error.httpStatus === 404)) throw error;
    }
  }

  private async filter(path: string, filter: string): Promise<Json[]> {
    const { body } = await this.client.request("GET", path, { query: { filter, count: this.profile.maxPageSize } });
    return resourcesOf(body);
  }
}
