import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_ROLE } from "../../src/core/access/sign-in.js";
import { systemActor } from "../../src/core/audit.js";
import { directory } from "../../src/core/directory/index.js";
import { DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_PEOPLE, ROLE_GROUP_SOURCE, seedDemo } from "../../src/demo/seed.js";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

interface Fixture {
  accounts: { id: string; alias: string }[];
  roles: { accountId: string; name: string }[];
}

describe("demo data stays aligned with the sandbox fixture", () => {
  const fixture = JSON.parse(
    readFileSync(resolve(import.meta.dirname, "../../fixtures/sandbox/demo.json"), "utf8"),
  ) as Fixture;

  it("names real accounts and roles of fixtures/sandbox/demo.json", () => {
    for (const [alias, id] of Object.entries(DEMO_ACCOUNTS)) {
      expect(fixture.accounts).toContainEqual(expect.objectContaining({ alias, id }));
    }
    for (const p of DEMO_PEOPLE) {
      for (const [alias, role] of p.roles) {
        // A role under a path is named "path/Name" in the group, as in its ARN.
        const name = role.slice(role.lastIndexOf("/") + 1);
        const path = role.includes("/") ? `/${role.slice(0, role.lastIndexOf("/") + 1)}` : undefined;
        const expected = { accountId: DEMO_ACCOUNTS[alias], name, ...(path ? { path } : {}) };
        expect(fixture.roles).toContainEqual(expect.objectContaining(expected));
      }
    }
  });
});

describe.each(backends)("seedDemo on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterEach(() => cleanup());

  it("creates the admin, people and role groups once, and changes nothing the second time", async () => {
    const ctx = { store, directory: directory(store) };
    expect((await seedDemo(ctx)).changed).toBe(true);
    const counts = [await store.users.count(), await store.groups.count(), await store.memberships.count()];
    expect((await seedDemo(ctx)).changed).toBe(false);
    expect([await store.users.count(), await store.groups.count(), await store.memberships.count()]).toEqual(counts);

    const admin = await store.users.getByLogin(DEMO_ADMIN.login);
    expect(await store.admins.rolesOf(admin!.id)).toEqual([ADMIN_ROLE]);

    const alice = await store.users.getByLogin("alice@example.com");
    const roleGroups = (await store.memberships.groupsOfUser(alice!.id)).filter((g) => g.source === ROLE_GROUP_SOURCE);
    expect(roleGroups.length).toBeGreaterThanOrEqual(2);
    for (const g of roleGroups) expect(g.name).toMatch(/^aws#[a-z0-9-]+#[A-Za-z0-9_.+=,@-]+#\d{12}$/);
    expect(roleGroups.map((g) => g.name)).toContain("aws#northamerica-production#Admin#222233334444");
  });

  it("never touches an existing account that is not the demo administrator", async () => {
    const ctx = { store, directory: directory(store) };
    const profile = {
      login: DEMO_ADMIN.login,
      email: DEMO_ADMIN.login,
      firstName: null,
      lastName: null,
      displayName: null,
    };
    const user = await ctx.directory.users.create(systemActor, { profile, password: "the owner's password" });
    const before = await store.users.credentials(user.id);
    await expect(seedDemo(ctx)).rejects.toMatchObject({ code: "conflict" });
    expect(await store.users.credentials(user.id)).toEqual(before);
    expect(await store.admins.rolesOf(user.id)).toEqual([]);
  });
});
