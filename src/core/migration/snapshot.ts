import type { EntitlementRows, InMemoryEntitlementSources } from "../apps/entitlements.js";
import type { AppAssignment } from "../apps/model.js";
import type { Group, User } from "../directory/model.js";
import type { GroupRef } from "../rolemap/types.js";
import type { Inventory, InventoryGroup, InventoryPerson } from "./model.js";

const groupOf = (g: InventoryGroup): Group => ({
  id: g.id,
  name: g.name,
  source: g.source,
  description: null,
  externalId: null,
  created: "",
  lastUpdated: "",
  lastMembershipUpdated: "",
  version: 1,
});

export const userOf = (p: InventoryPerson): User => ({
  id: p.id,
  profile: { login: p.login, email: p.email, firstName: null, lastName: null, displayName: null },
  status: p.status,
  created: "",
  lastUpdated: "",
  statusChanged: "",
  passwordChanged: null,
  lastLogin: null,
  version: 1,
});

/**
 * The directory rows `appEntitlements` reads, held in memory: the inventory's groups, memberships and
 * assignments, plus what a plan would add (role groups, their memberships, the target app's assignments).
 * The proof hands this to the very function sign-in uses, so "before apply" and "after apply" differ only
 * in where the rows come from.
 */
export class EntitlementSnapshot implements InMemoryEntitlementSources {
  private readonly groups = new Map<string, Group>();
  /** What resolution reads of each group, one object per group shared by every person's rows. */
  private readonly refs = new Map<string, GroupRef>();
  /** The inventory's own lists, never written to: 20,000 people's lists are not copied to add a few groups. */
  private readonly baseGroupsOfUser = new Map<string, readonly string[]>();
  /** Groups added on top of the inventory's: planned role groups' static members. */
  private readonly addedGroupsOfUser = new Map<string, string[]>();
  /** Membership rules (group id -> groups its members join), followed when a person's groups are read. */
  private readonly rulesFrom = new Map<string, string[]>();
  /** appId -> principal id -> assignment, people and groups apart (no key string built per lookup). */
  private readonly byApp = new Map<string, { user: Map<string, AppAssignment>; group: Map<string, AppAssignment> }>();

  /**
   * The inventory's groups and memberships, and (unless `assignments: false`) its app's assignments: a
   * simulated target app asks only for its own assignments, so it need not index 100,000 legacy ones.
   */
  static fromInventory(inventory: Inventory, options: { assignments?: boolean } = {}): EntitlementSnapshot {
    const s = new EntitlementSnapshot();
    for (const g of inventory.groups) s.addGroup(g);
    for (const p of inventory.people) s.baseGroupsOfUser.set(p.id, p.groupIds);
    if (options.assignments !== false) for (const a of inventory.assignments) s.assign(a);
    return s;
  }

  addGroup(g: InventoryGroup): void {
    this.groups.set(g.id, groupOf(g));
    this.refs.set(g.id, { id: g.id, name: g.name, source: g.source });
  }

  addMember(groupId: string, userId: string): void {
    if (this.baseGroupsOfUser.get(userId)?.includes(groupId)) return;
    const list = this.addedGroupsOfUser.get(userId);
    if (!list) this.addedGroupsOfUser.set(userId, [groupId]);
    else if (!list.includes(groupId)) list.push(groupId);
  }

  /**
   * Members of a group no one belongs to yet (a planned role group): `userIds` may repeat, but nobody is
   * compared with the groups they already have, which costs per member with thousands of groups to add.
   */
  addMembersOfNewGroup(groupId: string, userIds: Iterable<string>): void {
    for (const userId of new Set(userIds)) {
      const list = this.addedGroupsOfUser.get(userId);
      if (list) list.push(groupId);
      else this.addedGroupsOfUser.set(userId, [groupId]);
    }
  }

  /**
   * "Members of `fromGroupId` are members of `toGroupId`", as a membership rule makes them once applied:
   * followed per person when their groups are read (chains included) rather than copied into every member.
   */
  addRule(fromGroupId: string, toGroupId: string): void {
    const list = this.rulesFrom.get(fromGroupId);
    if (list) list.push(toGroupId);
    else this.rulesFrom.set(fromGroupId, [toGroupId]);
  }

  /** The person's group ids: the inventory's, those added, then every group a rule adds them to, once each. */
  private groupIdsOf(userId: string): readonly string[] {
    const base = this.baseGroupsOfUser.get(userId) ?? [];
    const added = this.addedGroupsOfUser.get(userId);
    if (!added && this.rulesFrom.size === 0) return base;
    const ids: string[] = [];
    for (const id of base) ids.push(id);
    if (added) for (const id of added) ids.push(id);
    if (this.rulesFrom.size === 0) return ids;
    // `ids` grows while it is walked, so a rule's target is itself followed; `includes` keeps each group once.
    for (let i = 0; i < ids.length; i++) {
      const targets = this.rulesFrom.get(ids[i]!);
      if (targets) for (const t of targets) if (!ids.includes(t)) ids.push(t);
    }
    return ids;
  }

  assign(a: AppAssignment): void {
    let forApp = this.byApp.get(a.appId);
    if (!forApp) {
      forApp = { user: new Map(), group: new Map() };
      this.byApp.set(a.appId, forApp);
    }
    forApp[a.principalType].set(a.principalId, a);
  }

  rowsOf(appId: string, userId: string): EntitlementRows {
    const ids = this.groupIdsOf(userId);
    const groups: GroupRef[] = [];
    for (const id of ids) {
      const g = this.refs.get(id);
      if (g) groups.push(g);
    }
    return { groups, assignments: this.assignmentsOf(appId, userId, ids) };
  }

  private assignmentsOf(appId: string, userId: string, groupIds: readonly string[]): AppAssignment[] {
    const forApp = this.byApp.get(appId);
    if (!forApp) return [];
    const out: AppAssignment[] = [];
    const direct = forApp.user.get(userId);
    if (direct) out.push(direct);
    for (const id of groupIds) {
      const a = forApp.group.get(id);
      if (a) out.push(a);
    }
    return out;
  }

  readonly memberships = {
    groupsOfUser: async (userId: string): Promise<Group[]> => {
      const out: Group[] = [];
      for (const id of this.groupIdsOf(userId)) {
        const g = this.groups.get(id);
        if (g) out.push(g);
      }
      return out;
    },
  };

  readonly assignments = {
    forUser: async (appId: string, userId: string, groupIds: readonly string[]): Promise<AppAssignment[]> =>
      this.assignmentsOf(appId, userId, groupIds),
  };
}
