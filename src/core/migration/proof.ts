import { validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import { appEntitlementsNow, type EntitlementSources } from "../apps/entitlements.js";
import type { App } from "../apps/model.js";
import { type Grants, rememberedGrants } from "./legacy-grants.js";
import type { Inventory } from "./model.js";
import type { Plan } from "./plan-model.js";
import { EntitlementSnapshot, userOf } from "./snapshot.js";
import { COMPARED_SETTINGS } from "./target-app.js";

export interface Pair {
  providerArn: string;
  roleArn: string;
}

export interface PersonDifference {
  kind: "person";
  userId: string;
  login: string;
  gained: Pair[];
  lost: Pair[];
  providerChanged: Array<{ roleArn: string; expectedProviderArn: string; providerArn: string }>;
}

export interface SettingDifference {
  kind: "setting";
  setting: string;
  legacy: unknown;
  target: unknown;
}

/** Live only: a provider the target signs in through that the account lacks (where the keys may list them). */
export interface ProviderDifference {
  kind: "provider";
  accountId: string;
  providerArn: string;
}

/** The contract of `migrate verify --json`: nothing else, so automated checks can compare it whole. */
export interface ProofResult {
  people: number;
  identical: number;
  differences: Array<PersonDifference | SettingDifference | ProviderDifference>;
}

const keyOf = (p: Pair) => `${p.roleArn}\n${p.providerArn}`;

/**
 * Both lists come sorted from resolveRoles, so the common case (identical) is one pass without a map and
 * without building the expected list: today's pairs are compared with their providers mapped in place.
 */
function sameInOrder(today: readonly Pair[], providerMap: ReadonlyMap<string, string>, actual: readonly Pair[]) {
  if (today.length !== actual.length) return false;
  for (let i = 0; i < today.length; i++) {
    const e = today[i]!;
    const a = actual[i]!;
    if (e.roleArn !== a.roleArn || (providerMap.get(e.providerArn) ?? e.providerArn) !== a.providerArn) return false;
  }
  return true;
}

function compare(
  expected: Pair[],
  actual: readonly Pair[],
): Omit<PersonDifference, "kind" | "userId" | "login"> | null {
  const want = new Map(expected.map((p) => [keyOf(p), p]));
  const have = new Map(actual.map((r) => [keyOf(r), { providerArn: r.providerArn, roleArn: r.roleArn }]));
  if (want.size === have.size && [...want.keys()].every((k) => have.has(k))) return null;
  let lost = [...want].filter(([k]) => !have.has(k)).map(([, p]) => p);
  let gained = [...have].filter(([k]) => !want.has(k)).map(([, p]) => p);
  const providerChanged: PersonDifference["providerChanged"] = [];
  for (const l of lost) {
    const g = gained.find((x) => x.roleArn === l.roleArn);
    if (g) providerChanged.push({ roleArn: l.roleArn, expectedProviderArn: l.providerArn, providerArn: g.providerArn });
  }
  const changed = new Set(providerChanged.map((c) => c.roleArn));
  lost = lost.filter((p) => !changed.has(p.roleArn));
  gained = gained.filter((p) => !changed.has(p.roleArn));
  return { gained, lost, providerChanged };
}

export interface ProofSides {
  legacy: { app: App; sources: EntitlementSources };
  target: { app: App; sources: EntitlementSources };
  /** legacy provider ARN -> the provider ARN the target is meant to use in its place. */
  providerMap: Record<string, string>;
  /** What the legacy side grants, when already asked of `appEntitlements` over the same rows (the plan did). */
  legacyGrants?: Grants | undefined;
}

/**
 * For every person the legacy app reaches: the (provider, role) pairs it grants — providers mapped as the
 * plan intends — must be exactly the pairs the target grants. Both sides go through `appEntitlements`, the
 * resolution sign-in uses. The sign-on settings AWS sees besides roles are compared too.
 */
export async function prove(inventory: Inventory, sides: ProofSides): Promise<ProofResult> {
  const differences: ProofResult["differences"] = [];
  const legacySettings = validateAwsFederationSettings(sides.legacy.app.settings);
  const targetSettings = validateAwsFederationSettings(sides.target.app.settings);
  for (const setting of COMPARED_SETTINGS) {
    const [a, b] = [legacySettings[setting], targetSettings[setting]];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null))
      differences.push({ kind: "setting", setting, legacy: a ?? null, target: b ?? null });
  }
  const legacyApp = { ...sides.legacy.app, status: "ACTIVE" as const };
  const providerMap = new Map(Object.entries(sides.providerMap));
  let identical = 0;
  for (const person of inventory.people) {
    const user = userOf(person);
    // Rows in memory are decided at once; only rows read from a store are awaited.
    let today: readonly Pair[] | undefined = sides.legacyGrants?.get(person.id);
    if (!today) {
      const legacy = appEntitlementsNow(sides.legacy.sources, legacyApp, user);
      today = (legacy instanceof Promise ? await legacy : legacy).roles;
    }
    const answer = appEntitlementsNow(sides.target.sources, sides.target.app, user);
    const target = answer instanceof Promise ? await answer : answer;
    if (sameInOrder(today, providerMap, target.roles)) {
      identical += 1;
      continue;
    }
    const expected = today.map((r) => ({
      roleArn: r.roleArn,
      providerArn: providerMap.get(r.providerArn) ?? r.providerArn,
    }));
    const diff = compare(expected, target.roles);
    if (diff) differences.push({ kind: "person", userId: person.id, login: person.login, ...diff });
    else identical += 1;
  }
  return { people: inventory.people.length, identical, differences };
}

export const PLANNED_APP_ID = "planned:target-app";
export const plannedGroupId = (name: string) => `planned:${name}`;

/**
 * The target as the plan would leave it, in memory: the inventory's rows plus the role groups, their
 * members (static ones and what each membership rule would produce), the new app and its assignments.
 */
export function simulateTarget(inventory: Inventory, plan: Plan): { app: App; sources: EntitlementSnapshot } {
  const snapshot = EntitlementSnapshot.fromInventory(inventory, { assignments: false });
  const app: App = {
    id: PLANNED_APP_ID,
    slug: plan.targetApp.slug,
    type: "aws-account-federation",
    label: plan.targetApp.label,
    status: "ACTIVE",
    settings: plan.targetApp.settings,
    created: "",
    lastUpdated: "",
    version: 1,
    provisioningEnabled: true,
  };
  for (const [priority, g] of plan.roleGroups.entries()) {
    const id = g.existingId ?? plannedGroupId(g.name);
    snapshot.addGroup({ id, name: g.name, source: g.source });
    // A group an earlier apply created may already hold people (the inventory read it); a planned one cannot.
    if (g.existingId) for (const m of g.members) snapshot.addMember(id, m);
    else snapshot.addMembersOfNewGroup(id, g.members);
    for (const from of g.ruleFrom) snapshot.addRule(from, id);
    snapshot.assign({
      appId: app.id,
      principalType: "group",
      principalId: id,
      profile: {},
      priority,
      created: "",
      lastUpdated: "",
    });
  }
  return { app, sources: snapshot };
}

/** The proof against the plan, before anything is written. */
export function proveAgainstPlan(inventory: Inventory, plan: Plan): Promise<ProofResult> {
  const legacyGrants = rememberedGrants(plan, inventory);
  return prove(inventory, {
    legacy: {
      app: inventory.app,
      sources: legacyGrants ? new EntitlementSnapshot() : EntitlementSnapshot.fromInventory(inventory),
    },
    target: simulateTarget(inventory, plan),
    providerMap: plan.providerMap,
    legacyGrants,
  });
}
