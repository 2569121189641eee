import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import type { User } from "../../../src/core/directory/model.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const PROD = "111122223333";
const DEV = "444455556666";

async function errorOf(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe.each(backends)("AWS Account Federation app on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let apps: AppService;
  let cleanup: () => Promise<void>;
  let alice: User;

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    dir = directory(store);
    apps = new AppService(store);
    alice = await dir.users.create(actor, {
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "A",
        displayName: null,
      },
    });
    const groups = [
      { name: `aws#northamerica-production#Admin#${PROD}`, source: "active_directory" },
      { name: `aws#dev#Dev.Ops#${DEV}`, source: "active_directory" },
      // The look-alike: same name shape, but from a source the App Filter does not trust.
      { name: `aws#northamerica-production#Root#${PROD}`, source: "csv:rogue" },
      { name: "engineering", source: "local" },
    ];
    for (const g of groups) {
      const group = await dir.groups.create(actor, g);
      await dir.groups.addMember(actor, group.id, alice.id);
    }
  });
  afterAll(async () => cleanup?.());

  it("validates settings on save with precise paths", async () => {
    const bad = await errorOf(
      apps.create(actor, {
        slug: "aws-bad",
        type: "aws-account-federation",
        label: "AWS",
        settings: { useGroupMapping: true, groupFilter: "^aws#(?{{role}}\\w+)$", sessionDuration: 60 },
      }),
    );
    expect(bad.code).toBe("validation_failed");
    expect((bad.details.errors as { path: string }[]).map((e) => e.path)).toEqual(["/settings/sessionDuration"]);
    const missing = await errorOf(
      apps.create(actor, {
        slug: "aws-bad",
        type: "aws-account-federation",
        label: "AWS",
        settings: { useGroupMapping: true, groupFilter: "^aws#(?{{role}}\\w+)$", defaultSamlProviderName: "rb" },
      }),
    );
    expect(JSON.stringify(missing.details)).toContain("accountid");
    expect(await store.apps.getBySlug("aws-bad")).toBeNull();
  });

  it("grants one role per trusted role group and nothing from a look-alike group in another source", async () => {
    const app = await apps.create(actor, {
      slug: "aws-groups",
      type: "aws-account-federation",
      label: "AWS (group mapping)",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    const notYet = await apps.explain(app.slug, alice);
    expect(notYet.assigned).toBe(false);
    expect(notYet.roles).toEqual([]);

    const everyone = (await dir.groups.list({ name: `aws#northamerica-production#Admin#${PROD}` }, { limit: 1 }))
      .items[0]!;
    await apps.assign(actor, app.slug, "group", everyone.id, {});
    const result = await apps.explain(app.slug, alice);
    expect(result.roles.map((r) => r.roleArn)).toEqual([
      `arn:aws:iam::${PROD}:role/Admin`,
      `arn:aws:iam::${DEV}:role/Dev.Ops`,
    ]);
    expect(result.roles[0]?.providerArn).toBe(`arn:aws:iam::${PROD}:saml-provider/rolebridge`);
    expect(result.rejectedByAppFilter.map((g) => g.source).sort()).toEqual(["csv:rogue", "local"]);
    expect(result.roles.some((r) => r.roleName === "Root")).toBe(false);
  });

  it("an inactive app grants nothing, and reactivating restores the same roles", async () => {
    await apps.setStatus(actor, "aws-groups", "INACTIVE");
    const off = await apps.explain("aws-groups", alice);
    expect([off.blockedBecause, off.roles.length]).toEqual(["app_inactive", 0]);
    await apps.setStatus(actor, "aws-groups", "ACTIVE");
    expect((await apps.explain("aws-groups", alice)).roles).toHaveLength(2);
  });

  it("honours Join all roles for roles assigned to the user's groups", async () => {
    const app = await apps.create(actor, {
      slug: "aws-direct",
      type: "aws-account-federation",
      label: "AWS (roles)",
      settings: { defaultSamlProviderName: "rb" },
    });
    const eng = (await dir.groups.list({ name: "engineering" }, { limit: 1 })).items[0]!;
    await apps.assign(actor, app.id, "user", "alice@example.com", {
      samlRoles: [{ roleArn: `arn:aws:iam::${PROD}:role/ReadOnly` }],
    });
    await apps.assign(actor, app.id, "group", eng.id, {
      samlRoles: [{ roleArn: `arn:aws:iam::${DEV}:role/Developer` }],
    });
    const off = await apps.explain(app.id, alice);
    expect(off.roles.map((r) => r.roleName)).toEqual(["ReadOnly"]);
    expect(off.ignoredGroupAssignments.map((g) => g.roleArn)).toEqual([`arn:aws:iam::${DEV}:role/Developer`]);
    await apps.update(actor, app.id, { settings: { joinAllRoles: true } });
    expect((await apps.explain(app.id, alice)).roles.map((r) => r.roleName)).toEqual(["ReadOnly", "Developer"]);
  });

  it("refuses an assignment whose role is not in the app's partition, writing nothing", async () => {
    const before = await store.assignments.listForApp((await apps.get("aws-direct")).id);
    const err = await errorOf(
      apps.assign(actor, "aws-direct", "user", alice.id, {
        samlRoles: [{ roleArn: `arn:aws-cn:iam::${PROD}:role/X` }],
      }),
    );
    expect(err.code).toBe("validation_failed");
    expect(await store.assignments.listForApp((await apps.get("aws-direct")).id)).toEqual(before);
    expect((await errorOf(apps.assign(actor, "aws-direct", "user", "nobody@example.com", {}))).code).toBe("not_found");
  });

  it("refuses a duplicate slug and deleting an active app", async () => {
    expect(
      (await errorOf(apps.create(actor, { slug: "aws-direct", type: "aws-account-federation", label: "x" }))).code,
    ).toBe("conflict");
    expect((await errorOf(apps.delete(actor, "aws-direct"))).code).toBe("illegal_transition");
  });
});
