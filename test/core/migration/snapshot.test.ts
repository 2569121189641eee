// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Role Value Patterns use Okta's literal ${name} syntax.
import { describe, expect, it } from "vitest";
import { appEntitlements, appEntitlementsNow } from "../../../src/core/apps/entitlements.js";
import type { App } from "../../../src/core/apps/model.js";
import type { Inventory, InventoryPerson } from "../../../src/core/migration/model.js";
import { EntitlementSnapshot, userOf } from "../../../src/core/migration/snapshot.js";

const person = (id: string, groupIds: string[]): InventoryPerson => ({
  id,
  login: `${id}@example.com`,
  email: `${id}@example.com`,
  status: "ACTIVE",
  groupIds,
  direct: false,
  viaGroups: [],
});

const inventory = {
  groups: [
    { id: "g-eng", name: "engineering", source: "local" },
    { id: "g-ops", name: "ops", source: "local" },
  ],
  people: [person("ann", ["g-eng"]), person("bob", ["g-ops"]), person("cy", [])],
  assignments: [],
} as unknown as Inventory;

function snapshotWithRoleGroups(): EntitlementSnapshot {
  const s = EntitlementSnapshot.fromInventory(inventory);
  for (const name of ["aws#dev#Admin#111111111111", "aws#dev#ReadOnly#111111111111"])
    s.addGroup({ id: `planned:${name}`, name, source: "local" });
  s.addMembersOfNewGroup("planned:aws#dev#Admin#111111111111", ["ann", "cy", "cy"]);
  // ann is a static member and reached by the rule: one membership. The second rule chains off the first.
  s.addRule("g-eng", "planned:aws#dev#Admin#111111111111");
  s.addRule("planned:aws#dev#Admin#111111111111", "planned:aws#dev#ReadOnly#111111111111");
  return s;
}

const groupIds = async (s: EntitlementSnapshot, userId: string) =>
  (await s.memberships.groupsOfUser(userId)).map((g) => g.id);

describe("the migration's in-memory snapshot", () => {
  it("follows membership rules, chains included, when a person's groups are read, each group once", async () => {
    const s = snapshotWithRoleGroups();
    expect(await groupIds(s, "ann")).toEqual([
      "g-eng",
      "planned:aws#dev#Admin#111111111111",
      "planned:aws#dev#ReadOnly#111111111111",
    ]);
    expect(await groupIds(s, "bob")).toEqual(["g-ops"]);
    expect(await groupIds(s, "cy")).toEqual([
      "planned:aws#dev#Admin#111111111111",
      "planned:aws#dev#ReadOnly#111111111111",
    ]);
  });

  it("never writes to the inventory's own membership lists", () => {
    snapshotWithRoleGroups().addMember("g-ops", "ann");
    expect(inventory.people[0]!.groupIds).toEqual(["g-eng"]);
  });

  it("answers at once with the same entitlements the awaited path reads", async () => {
    const s = snapshotWithRoleGroups();
    const app: App = {
      id: "app-1",
      slug: "target",
      type: "aws-account-federation",
      label: "target",
      status: "ACTIVE",
      provisioningEnabled: false,
      settings: {
        useGroupMapping: true,
        appFilter: "local",
        groupFilter: "^aws#(?<alias>[^#]+)#(?<role>[^#]+)#(?<accountid>\\d{12})$",
        roleValuePattern: "arn:aws:iam::${accountid}:saml-provider/okta,arn:aws:iam::${accountid}:role/${role}",
      },
      created: "",
      lastUpdated: "",
      version: 1,
    };
    s.assign({
      appId: app.id,
      principalType: "group",
      principalId: "planned:aws#dev#Admin#111111111111",
      profile: {},
      priority: 0,
      created: "",
      lastUpdated: "",
    });
    for (const p of inventory.people) {
      const now = appEntitlementsNow(s, app, userOf(p));
      expect(now).not.toBeInstanceOf(Promise);
      expect(now).toEqual(await appEntitlements(s, app, userOf(p)));
    }
    const ann = appEntitlementsNow(s, app, userOf(inventory.people[0]!)) as Awaited<ReturnType<typeof appEntitlements>>;
    expect(ann.roles.map((r) => r.roleArn)).toEqual([
      "arn:aws:iam::111111111111:role/Admin",
      "arn:aws:iam::111111111111:role/ReadOnly",
    ]);
  });
});
