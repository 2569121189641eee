import { ScimError } from "./errors.js";
import { fromScimGroup, fromScimUser, type RemoteGroup, type RemoteUser } from "./model.js";
import type { ScimOperations } from "./operations.js";
import type { Listing } from "./paging.js";
import type { PlanReader } from "./plan.js";

/** What the last syncs left on the target for one app, as the storage side recorded it. */
export interface RecordedTarget {
  /** Remote user id by externalId. */
  users: ReadonlyMap<string, string>;
  /** Remote group id and the name last written, by externalId. */
  groups: ReadonlyMap<string, { remoteId: string; displayName: string }>;
}

/**
 * The target as a change needs to see it, without reading all of it. A full listing costs one request per
 * hundred objects, which for one membership change on a large directory is a hundred times the work. So:
 * users in scope are read by their recorded id (one GET each; the rest of the plan's look-ups happen only
 * for users with no record), groups are taken from the record unless named in `readGroups` (a rename), and
 * memberships come from the record as in every AWS sync. The listings say "incomplete", so absence is
 * never taken as proof and a missing object is looked up before it is created.
 *
 * What this trusts — that nobody changed the target behind our back — the scheduled full reconciliation
 * verifies.
 */
export class ScopedReader implements PlanReader {
  readonly profile: ScimOperations["profile"];

  constructor(
    private readonly ops: ScimOperations,
    private readonly recorded: RecordedTarget,
    private readonly scope: { userExternalIds: readonly string[]; readGroups: ReadonlySet<string> },
  ) {
    this.profile = ops.profile;
  }

  async listUsers(): Promise<Listing<RemoteUser>> {
    const items: RemoteUser[] = [];
    for (const externalId of this.scope.userExternalIds) {
      const remoteId = this.recorded.users.get(externalId);
      const found = remoteId ? await this.get("/Users", remoteId) : null;
      if (found) items.push(fromScimUser(found));
    }
    return { items, complete: false };
  }

  async listGroups(): Promise<Listing<RemoteGroup>> {
    const items: RemoteGroup[] = [];
    const listsMembers = this.profile.membershipRead === "group-resource";
    for (const [externalId, { remoteId, displayName }] of this.recorded.groups) {
      if (!this.scope.readGroups.has(externalId)) {
        items.push({ id: remoteId, externalId, displayName, memberIds: null });
        continue;
      }
      const found = await this.get("/Groups", remoteId);
      if (found) items.push(fromScimGroup(found, listsMembers));
    }
    return { items, complete: false };
  }

  findUserByUserName(userName: string) {
    return this.ops.findUserByUserName(userName);
  }

  findUserByExternalId(externalId: string) {
    return this.ops.findUserByExternalId(externalId);
  }

  findGroupByExternalId(externalId: string) {
    return this.ops.findGroupByExternalId(externalId);
  }

  findGroupByDisplayName(displayName: string) {
    return this.ops.findGroupByDisplayName(displayName);
  }

  isMember(groupId: string, userId: string) {
    return this.ops.isMember(groupId, userId);
  }

  /** One resource by id; a 404 means it is gone from the target and the plan will look it up or create it. */
  private async get(collection: string, id: string) {
    try {
      return (await this.ops.client.request("GET", `${collection}/${encodeURIComponent(id)}`)).body;
    } catch (err) {
      if (err instanceof ScimError && err.httpStatus === 404) return null;
      throw err;
    }
  }
}
