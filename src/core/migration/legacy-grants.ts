import { appEntitlements } from "../apps/entitlements.js";
import type { ResolvedRole } from "../rolemap/types.js";
import type { Inventory } from "./model.js";
import { type EntitlementSnapshot, userOf } from "./snapshot.js";

export type Grants = Map<string, ResolvedRole[]>;

/**
 * What the legacy app grants each person it reaches, through `appEntitlements` over the inventory's rows.
 * The app counts as active: after cut-over it is switched off, and what it granted is still what to keep.
 */
export async function legacyGrants(inventory: Inventory, snapshot: EntitlementSnapshot): Promise<Grants> {
  const app = { ...inventory.app, status: "ACTIVE" as const };
  const out: Grants = new Map();
  for (const p of inventory.people) out.set(p.id, (await appEntitlements(snapshot, app, userOf(p))).roles);
  return out;
}
