import type { Store } from "../../store/contract.js";
import { allPages } from "../../store/pages.js";
import { assignedRolesOf } from "../apps/assignment-profile.js";
import { validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import type { App } from "../apps/model.js";
import { DomainError, notFound } from "../errors.js";
import {
  type AwsAccountState,
  accountOfArn,
  compareBy,
  INVENTORY_FORMAT,
  INVENTORY_VERSION,
  type Inventory,
  type InventoryAccount,
  type InventoryGroup,
  type InventoryPerson,
  sortStrings,
} from "./model.js";

export const OFFLINE: AwsAccountState = {
  status: "offline",
  error: null,
  roles: null,
  providers: null,
  providersError: null,
  trusts: [],
};

/** Refuses anything but an AWS Account Federation app in legacy API mode: there is nothing to migrate off. */
export function assertLegacyApp(app: App): void {
  if (app.type !== "aws-account-federation")
    throw new DomainError("conflict", `app ${app.slug} is not an AWS Account Federation app (it is ${app.type})`);
  if (!validateAwsFederationSettings(app.settings).api.enabled)
    throw new DomainError("conflict", `app ${app.slug} is not in legacy API mode; there is nothing to migrate`, {
      reason: "not_legacy",
    });
}

/**
 * The legacy estate as the store holds it: the app, the role lists of its last refresh, every assignment
 * with its roles, the people each group assignment reaches, and every group of every person reached.
 * AWS's side (`aws` per account) is filled in separately, or marked offline.
 */
export async function inventoryFromStore(store: Store, appRef: string): Promise<Inventory> {
  const app = (await store.apps.get(appRef)) ?? (await store.apps.getBySlug(appRef));
  if (!app) throw notFound("app", appRef);
  assertLegacyApp(app);
  const settings = validateAwsFederationSettings(app.settings);
  const [lists, lastRefresh, assignments] = await Promise.all([
    store.roleCatalog.listForApp(app.id),
    store.roleCatalog.lastRefresh(app.id),
    store.assignments.listForApp(app.id),
  ]);

  const groupMembers: Record<string, string[]> = {};
  const reach = new Map<string, { direct: boolean; viaGroups: string[] }>();
  const reached = (id: string) => {
    const r = reach.get(id) ?? { direct: false, viaGroups: [] };
    reach.set(id, r);
    return r;
  };
  for (const a of assignments) {
    if (a.principalType === "user") {
      reached(a.principalId).direct = true;
      continue;
    }
    const members: string[] = [];
    for await (const u of allPages((after) =>
      store.memberships.membersOfGroup(a.principalId, { limit: 1000, after }),
    )) {
      members.push(u.id);
      reached(u.id).viaGroups.push(a.principalId);
    }
    groupMembers[a.principalId] = sortStrings(members);
  }

  const groups = new Map<string, InventoryGroup>();
  for (const a of assignments.filter((x) => x.principalType === "group")) {
    const g = await store.groups.get(a.principalId);
    if (g) groups.set(g.id, { id: g.id, name: g.name, source: g.source });
  }
  const people: InventoryPerson[] = [];
  for (const [id, r] of reach) {
    const user = await store.users.get(id);
    if (!user) continue;
    const memberOf = await store.memberships.groupsOfUser(id);
    for (const g of memberOf) groups.set(g.id, { id: g.id, name: g.name, source: g.source });
    people.push({
      id,
      login: user.profile.login,
      email: user.profile.email,
      status: user.status,
      groupIds: sortStrings(memberOf.map((g) => g.id)),
      direct: r.direct,
      viaGroups: sortStrings(r.viaGroups),
    });
  }

  const accountIds = new Set<string>([...settings.api.connectedAccountIds, ...lists.map((l) => l.accountId)]);
  for (const a of assignments) for (const r of assignedRolesOf(a.profile)) accountIds.add(accountOfArn(r.roleArn));
  const listOf = new Map(lists.map((l) => [l.accountId, l]));
  const accounts: InventoryAccount[] = sortStrings(accountIds).map((accountId) => {
    const l = listOf.get(accountId);
    return {
      accountId,
      alias: l?.alias ?? null,
      roleList: l
        ? { status: l.status, error: l.error, refreshedAt: l.refreshedAt, roles: l.roles }
        : { status: "none", error: null, refreshedAt: null, roles: [] },
      aws: OFFLINE,
    };
  });

  return {
    format: INVENTORY_FORMAT,
    version: INVENTORY_VERSION,
    source: { kind: "rolebridge-app", description: `rolebridge app ${app.slug}` },
    app,
    lastRefresh: lastRefresh ? { finishedAt: lastRefresh.finishedAt, status: lastRefresh.status } : null,
    accounts,
    assignments: [...assignments].sort(compareBy((a) => `${a.principalType === "user" ? 0 : 1}${a.principalId}`)),
    groupMembers,
    groups: [...groups.values()].sort(compareBy((g) => g.id)),
    people: people.sort(compareBy((p) => p.id)),
  };
}
