import type { EntitlementSources } from "../apps/entitlements.js";
import type { AppAssignment } from "../apps/model.js";
import type { Group, User } from "../directory/model.js";
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
export class EntitlementSnapshot implements EntitlementSources {
  private readonly groups = new Map<string, Group>();
  private readonly groupsByUser = new Map<string, string[]>();
  /** appId -> `${principalType}:${principalId}` -> assignment. */
  private readonly byApp = new Map<string, Map<string, AppAssignment>>();

  static fromInventory(inventory: Inventory): EntitlementSnapshot {
    const s = new EntitlementSnapshot();
    for (const g of inventory.groups) s.addGroup(g);
    for (const p of inventory.people) s.groupsByUser.set(p.id, [...p.groupIds]);
    for (const a of inventory.assignments) s.assign(a);
    return s;
  }

  addGroup(g: InventoryGroup): void {
    this.groups.set(g.id, groupOf(g));
  }

  addMember(groupId: string, userId: string): void {
    const list = this.groupsByUser.get(userId);
    if (!list) this.groupsByUser.set(userId, [groupId]);
    else if (!list.includes(groupId)) list.push(groupId);
  }

  assign(a: AppAssignment): void {
    const forApp = this.byApp.get(a.appId) ?? new Map<string, AppAssignment>();
    this.byApp.set(a.appId, forApp);
    forApp.set(`${a.principalType}:${a.principalId}`, a);
  }

  readonly memberships = {
    groupsOfUser: async (userId: string): Promise<Group[]> =>
      (this.groupsByUser.get(userId) ?? []).flatMap((id) => {
        const g = this.groups.get(id);
        return g ? [g] : [];
      }),
  };

  readonly assignments = {
    forUser: async (appId: string, userId: string, groupIds: readonly string[]): Promise<AppAssignment[]> => {
      const forApp = this.byApp.get(appId);
      if (!forApp) return [];
      const out: AppAssignment[] = [];
      const direct = forApp.get(`user:${userId}`);
      if (direct) out.push(direct);
      for (const id of groupIds) {
        const a = forApp.get(`group:${id}`);
        if (a) out.push(a);
      }
      return out;
    },
  };
}
