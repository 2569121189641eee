import { entitlementsFromRows } from "../apps/entitlements.js";
import type { Inventory } from "./model.js";
import { type EntitlementSnapshot, userOf } from "./snapshot.js";

/** A granted (provider, role) pair; only these two fields are kept, for 20,000 people's worth of them. */
export interface GrantedPair {
  roleArn: string;
  providerArn: string;
}

export type Grants = Map<string, GrantedPair[]>;

/**
 * What the legacy app grants each person it reaches, through `appEntitlements` over the inventory's rows.
 * The app counts as active: after cut-over it is switched off, and what it granted is still what to keep.
 */
export async function legacyGrants(inventory: Inventory, snapshot: EntitlementSnapshot): Promise<Grants> {
  const app = { ...inventory.app, status: "ACTIVE" as const };
  const out: Grants = new Map();
  // Resolution builds each ARN afresh; one copy of each keeps 20,000 people's pairs small.
  const strings = new Map<string, string>();
  const intern = (s: string): string => {
    const known = strings.get(s);
    if (known !== undefined) return known;
    strings.set(s, s);
    return s;
  };
  for (const p of inventory.people) {
    const { roles } = entitlementsFromRows(app, userOf(p), snapshot.rowsOf(app.id, p.id));
    out.set(
      p.id,
      roles.map((r) => ({ roleArn: intern(r.roleArn), providerArn: intern(r.providerArn) })),
    );
  }
  return out;
}

/**
 * The grants a plan was built from, kept beside it (not in its JSON): the proof against that plan asks the
 * same question of the same rows, so it takes the answer instead of asking again.
 */
const grantsOfPlan = new WeakMap<object, { inventory: Inventory; grants: Grants }>();

export function rememberGrants(plan: object, inventory: Inventory, grants: Grants): void {
  grantsOfPlan.set(plan, { inventory, grants });
}

export function rememberedGrants(plan: object, inventory: Inventory): Grants | undefined {
  const entry = grantsOfPlan.get(plan);
  return entry?.inventory === inventory ? entry.grants : undefined;
}
