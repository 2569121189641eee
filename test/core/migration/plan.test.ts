import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importDirectory } from "../../../src/core/import/index.js";
import { planCsv } from "../../../src/core/migration/csv-export.js";
import { inventoryFromStore } from "../../../src/core/migration/inventory.js";
import { buildPlan, type DirectoryState } from "../../../src/core/migration/plan.js";
import type { PlanOptions } from "../../../src/core/migration/plan-model.js";
import { proveAgainstPlan } from "../../../src/core/migration/proof.js";
import { OKTA_DEFAULT_GROUP_FILTER } from "../../../src/core/rolemap/group-filter.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";
import { A, actor, B, role, seedEstate } from "./estate.js";

const options: PlanOptions = {
  to: "aws-groups",
  template: "aws#{alias}#{role}#{account}",
  source: "local",
  mode: "rules",
};

async function directoryState(store: Store): Promise<DirectoryState> {
  const page = await store.groups.list({}, { limit: 1000 });
  return {
    groups: page.items.map((g) => ({ id: g.id, name: g.name, source: g.source })),
    ownedGroupIds: new Set(),
    target: "absent",
  };
}

describe.each(backends)("migration inventory, plan and proof on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterEach(() => cleanup());

  it("inventories every assignment, the people each group reaches and all their groups, deterministically", async () => {
    const { users, groups } = await seedEstate(store);
    const inv = await inventoryFromStore(store, "aws-legacy");
    expect(inv.people.map((p) => p.login).sort()).toEqual([
      "ann@example.com",
      "bob@example.com",
      "cat@example.com",
      "dan@example.com",
      "eve@example.com",
    ]);
    expect(inv.groupMembers[groups.ops.id]).toEqual([users.bob, users.cat, users.dan].sort());
    const dan = inv.people.find((p) => p.login === "dan@example.com")!;
    expect(dan.viaGroups).toEqual([groups.ops.id, groups.devs.id].sort());
    expect(dan.direct).toBe(false);
    expect(inv.accounts.map((a) => [a.accountId, a.alias, a.aws.status])).toEqual([
      [A, "prod", "offline"],
      [B, "staging", "offline"],
    ]);
    expect(JSON.stringify(await inventoryFromStore(store, "aws-legacy"))).toBe(JSON.stringify(inv));
  });

  it("refuses an app that is not in legacy API mode", async () => {
    const { apps } = await seedEstate(store);
    await apps.create(actor, { slug: "aws-new", type: "aws-account-federation", label: "new" });
    await expect(inventoryFromStore(store, "aws-new")).rejects.toThrow(/not in legacy API mode/);
  });

  it("plans role groups, rules for group assignments everyone gets, and proves the target grants exactly today's pairs", async () => {
    const { groups, users } = await seedEstate(store);
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), options);
    expect(plan.roleGroups.map((g) => g.name)).toEqual([
      "aws#prod#Admin#111111111111",
      "aws#prod#support/Tier1_Support#111111111111",
      "aws#staging#Billing.Viewer#222222222222",
      "aws#staging#Developer#222222222222",
      "aws#staging#ReadOnly#222222222222",
    ]);
    // Join all roles is off: bob has his own assignment, so ops' role is not his today; ops cannot be a rule.
    expect(plan.rules).toEqual([
      { fromGroupId: groups.devs.id, fromGroupName: "devs", toGroupName: "aws#staging#Developer#222222222222" },
    ]);
    expect(plan.staticGroups).toEqual([
      { groupId: groups.ops.id, groupName: "ops", roleArns: [role(A, "support/Tier1_Support")] },
    ]);
    const support = plan.roleGroups.find((g) => g.roleArn === role(A, "support/Tier1_Support"))!;
    expect(support.members).toEqual([users.cat, users.dan].sort());
    expect(plan.targetApp.settings).toMatchObject({
      useGroupMapping: true,
      appFilter: "local",
      sessionDuration: 7200,
      samlProviderNames: { [A]: "okta", [B]: "okta" },
    });
    expect(plan.findings.map((f) => f.kind)).toEqual(["static-copy"]);
    const proof = await proveAgainstPlan(inv, plan);
    expect(proof).toEqual({ people: 5, identical: 5, differences: [] });
    expect(JSON.stringify(await buildPlan(inv, await directoryState(store), options))).toBe(JSON.stringify(plan));
  });

  it("exports role groups and memberships as CSV files that rolebridge's own import takes", async () => {
    await seedEstate(store, { joinAllRoles: true });
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), options);
    const files = planCsv(plan, inv);
    expect(files.groups.split("\n")[1]).toBe(
      "aws#prod#Admin#111111111111,AWS role arn:aws:iam::111111111111:role/Admin,local",
    );
    const csv = (name: string, text: string) => ({ name, input: Readable.from([Buffer.from(text)]) });
    const report = await importDirectory(
      store,
      { groups: csv("groups.csv", files.groups), memberships: csv("memberships.csv", files.memberships) },
      { actor },
    );
    expect(report.committed).toBe(true);
    const members = files.memberships.trim().split("\n").length - 1;
    expect(report.memberships.written).toBe(members);
    // Everyone a rule would add is listed: ops' three members and devs' two, beside the people's own roles.
    expect(members).toBe(plan.counts.staticMemberships + 5);
  });

  it("with Join all roles on, every group assignment becomes a rule; --static lists the groups instead", async () => {
    await seedEstate(store, { joinAllRoles: true });
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), options);
    expect(plan.rules.map((r) => r.fromGroupName).sort()).toEqual(["devs", "ops"]);
    expect(await proveAgainstPlan(inv, plan)).toMatchObject({ identical: 5, differences: [] });
    const copies = await buildPlan(inv, await directoryState(store), { ...options, mode: "static" });
    expect(copies.rules).toEqual([]);
    expect(copies.staticGroups.map((g) => g.groupName).sort()).toEqual(["devs", "ops"]);
    expect(await proveAgainstPlan(inv, copies)).toMatchObject({ identical: 5, differences: [] });
  });

  it("reports collisions, uncapturable roles, long names, missing roles and look-alike groups before writing", async () => {
    const { dir, users } = await seedEstate(store, { unlisted: [role(B, "Developer")] });
    await dir.groups.create(actor, { name: "aws#prod#Admin#111111111111", source: "local" });
    await dir.groups.create(actor, { name: "aws#staging#ReadOnly#222222222222", source: "active_directory" });
    const lookAlike = await dir.groups.create(actor, { name: "aws#prod#Sneaky#111111111111", source: "local" });
    await dir.groups.addMember(actor, lookAlike.id, users.eve!);
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), {
      ...options,
      source: "active_directory",
      groupFilter: OKTA_DEFAULT_GROUP_FILTER,
    });
    const kinds = (kind: string) => plan.findings.filter((f) => f.kind === kind).map((f) => f.subject);
    expect(kinds("name-collision")).toEqual(["aws#staging#ReadOnly#222222222222"]);
    expect(kinds("name-in-other-source")).toEqual(["aws#prod#Admin#111111111111"]);
    expect(kinds("uncapturable-role").sort()).toEqual([role(A, "support/Tier1_Support"), role(B, "Billing.Viewer")]);
    expect(kinds("name-too-long")).toEqual(
      ["aws#prod#support/Tier1_Support#111111111111"].filter((n) => n.length > 64),
    );
    expect(kinds("role-missing-in-aws")).toEqual([role(B, "Developer")]);
    expect(plan.counts.blocking).toBeGreaterThan(0);

    const local = await buildPlan(inv, await directoryState(store), options);
    expect(local.findings.filter((f) => f.kind === "existing-group-matches-filter").map((f) => f.subject)).toEqual([
      "aws#prod#Sneaky#111111111111",
    ]);
    // The proof sees what the look-alike group would do: eve gains a role through the target.
    const proof = await proveAgainstPlan(inv, local);
    expect(proof.differences).toEqual([
      expect.objectContaining({
        kind: "person",
        login: "eve@example.com",
        gained: [{ providerArn: `arn:aws:iam::${A}:saml-provider/okta`, roleArn: role(A, "Sneaky") }],
        lost: [],
      }),
    ]);
  });

  it("reports people whose Response would exceed AWS's size limit", async () => {
    const many = Array.from({ length: 700 }, (_, i) =>
      role(A, `Role${String(i).padStart(4, "0")}WithALongerNameForSize`),
    );
    const { app, users } = await seedEstate(store, { extraListed: many });
    await store.assignments.upsert({
      appId: app.id,
      principalType: "user",
      principalId: users.eve!,
      profile: { samlRoles: many.map((roleArn) => ({ roleArn })) },
      at: "2026-12-01T00:00:00.000Z",
    });
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), options);
    const sized = plan.findings.filter((f) => f.kind === "response-too-large");
    expect(sized.map((f) => [f.subject, f.severity])).toEqual([["eve@example.com", "blocking"]]);
    expect(sized[0]!.message).toMatch(/^700 roles make a \d+-character Response/);
  });

  it("maps providers when a new provider name is chosen, and reports a changed provider per person", async () => {
    await seedEstate(store);
    const inv = await inventoryFromStore(store, "aws-legacy");
    const plan = await buildPlan(inv, await directoryState(store), { ...options, providerName: "rolebridge" });
    expect(plan.providerMap[`arn:aws:iam::${A}:saml-provider/okta`]).toBe(`arn:aws:iam::${A}:saml-provider/rolebridge`);
    expect(await proveAgainstPlan(inv, plan)).toMatchObject({ identical: 5, differences: [] });
    // What AWS sees besides roles is compared too.
    const shorter = {
      ...plan,
      targetApp: { ...plan.targetApp, settings: { ...plan.targetApp.settings, sessionDuration: 3600 } },
    };
    expect((await proveAgainstPlan(inv, shorter)).differences).toEqual([
      { kind: "setting", setting: "sessionDuration", legacy: 7200, target: 3600 },
    ]);
    const skewed = { ...plan, providerMap: {} };
    const proof = await proveAgainstPlan(inv, skewed);
    expect(proof.identical).toBe(0);
    const ann = proof.differences.find((d) => d.kind === "person" && d.login === "ann@example.com");
    expect(ann).toMatchObject({ gained: [], lost: [] });
    expect(ann && "providerChanged" in ann ? ann.providerChanged.length : 0).toBe(3);
  });
});
