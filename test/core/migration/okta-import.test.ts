import { cpSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inventoryFromStore } from "../../../src/core/migration/inventory.js";
import { parsePages } from "../../../src/core/migration/okta/files.js";
import { importOktaExport } from "../../../src/core/migration/okta/import.js";
import { buildPlan } from "../../../src/core/migration/plan.js";
import { proveAgainstPlan } from "../../../src/core/migration/proof.js";
import type { Runtime } from "../../../src/runtime.js";
import { tempDir } from "../../cli/run.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { actor } from "./estate.js";

const FIXTURE = resolve(import.meta.dirname, "../../../fixtures/okta-export/basic");

/** A copy of the fixture to change one file of. */
function variant(edit: (dir: string) => void): string {
  const dir = tempDir("rb-okta-");
  cpSync(FIXTURE, dir, { recursive: true });
  edit(dir);
  return dir;
}

function editJson(dir: string, file: string, change: (value: Array<Record<string, unknown>>) => void) {
  const value = parsePages(readFileSync(join(dir, file), "utf8")) as Array<Record<string, unknown>>;
  change(value);
  writeFileSync(join(dir, file), JSON.stringify(value));
}

const setRoles = (login: string, samlRoles: string[]) => (users: Array<Record<string, unknown>>) => {
  const u = users.find((x) => (x.credentials as { userName: string }).userName === login)!;
  u.profile = { samlRoles };
};

describe.each(backends)("importing an Okta org's AWS app on $name", (backend) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  const dirs: string[] = [];
  beforeEach(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backend));
  });
  afterEach(async () => {
    await cleanup();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("creates people, groups and a legacy-mode app that resolves every app user's roles as Okta did", async () => {
    const result = await importOktaExport(rt, actor, FIXTURE, { slug: "aws-okta" });
    expect(result).toMatchObject({
      app: "aws-okta",
      groupAssignmentMode: "combine",
      people: 4,
      identical: 4,
      equivalent: true,
      differences: [],
      written: true,
      created: { users: 5, groups: 3, memberships: 4, assignments: 4 },
    });
    const app = await rt.apps.get("aws-okta");
    expect(app.settings).toMatchObject({
      joinAllRoles: false,
      identityProviderArn: "arn:aws:iam::111122223333:saml-provider/OKTA",
    });
    expect((await rt.store.groups.getByName("active_directory", "ad-developers"))?.name).toBe("ad-developers");
    expect((await rt.store.users.getByLogin("dan@example.com"))?.status).toBe("ACTIVE");
    const bob = await rt.store.users.getByLogin("bob@example.com");
    const roles = (await rt.apps.explain("aws-okta", bob!)).roles.map((r) => r.roleArn);
    expect(roles).toEqual(["arn:aws:iam::111122223333:role/Admin", "arn:aws:iam::222233334444:role/Developer"]);

    // The same migration then runs on it, and proves itself.
    const inventory = await inventoryFromStore(rt.store, "aws-okta");
    const groups = (await rt.store.groups.list({}, { limit: 100 })).items.map((g) => ({
      id: g.id,
      name: g.name,
      source: g.source,
    }));
    const plan = await buildPlan(
      inventory,
      { groups, ownedGroupIds: new Set(), target: "absent" },
      {
        to: "aws-groups",
        template: "aws#{alias}#{role}#{account}",
        source: "local",
        mode: "rules",
      },
    );
    expect(await proveAgainstPlan(inventory, plan)).toEqual({ people: 4, identical: 4, differences: [] });
  });

  it("picks group priority when that is what reproduces Okta's resolved roles", async () => {
    const dir = variant((d) => editJson(d, "app-users.json", setRoles("bob@example.com", ["Admin"])));
    dirs.push(dir);
    const result = await importOktaExport(rt, actor, dir, { slug: "aws-okta" });
    expect(result).toMatchObject({ groupAssignmentMode: "priority", equivalent: true, written: true });
    expect((await rt.apps.get("aws-okta")).settings.groupAssignmentMode).toBe("priority");
  });

  it("reports a person whose resolved roles differ, calls the estate not equivalent, and writes nothing", async () => {
    const dir = variant((d) =>
      editJson(
        d,
        "app-users.json",
        setRoles("cat@example.com", ["arn:aws:iam::222233334444:role/Developer", "Auditor"]),
      ),
    );
    dirs.push(dir);
    const result = await importOktaExport(rt, actor, dir, { slug: "aws-okta" });
    expect(result).toMatchObject({ equivalent: false, written: false, people: 4, identical: 3 });
    expect(result.differences).toEqual([
      {
        login: "cat@example.com",
        okta: ["arn:aws:iam::111122223333:role/Auditor", "arn:aws:iam::222233334444:role/Developer"],
        rolebridge: ["arn:aws:iam::222233334444:role/Developer"],
      },
    ]);
    expect(await rt.store.users.count()).toBe(0);
    expect(await rt.store.apps.getBySlug("aws-okta")).toBeNull();
    const accepted = await importOktaExport(rt, actor, dir, { slug: "aws-okta", acceptDifferences: true });
    expect(accepted).toMatchObject({ equivalent: false, written: true });
  });

  it("refuses missing and malformed files with one error per file and field, writing nothing", async () => {
    const dir = variant((d) => {
      unlinkSync(join(d, "app-groups.json"));
      writeFileSync(join(d, "groups.json"), "[{ not json");
      editJson(d, "users.json", (users) => {
        delete (users[1]!.profile as Record<string, unknown>).login;
      });
      editJson(d, "app-users.json", (users) => {
        users[0]!.scope = "SOMETIMES";
      });
    });
    dirs.push(dir);
    const err = await importOktaExport(rt, actor, dir, { slug: "aws-okta" }).catch((e: unknown) => e);
    const errors = (err as { details: { errors: Array<{ path: string; message: string }> } }).details.errors;
    expect(errors.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        "app-groups.json",
        "groups.json",
        "users.json/1/profile/login",
        "app-users.json/0/scope",
      ]),
    );
    expect(errors.find((e) => e.path === "app-groups.json")?.message).toBe("is missing");
    expect(errors.find((e) => e.path === "groups.json")?.message).toMatch(/^is not JSON/);
    expect(await rt.store.users.count()).toBe(0);
  });

  it("reports role values it cannot map, by file and index", async () => {
    const dir = variant((d) =>
      editJson(d, "app-groups.json", (groups) => {
        groups[1]!.profile = { samlRoles: ["arn:aws:s3:::not-a-role"] };
      }),
    );
    dirs.push(dir);
    await expect(importOktaExport(rt, actor, dir, { slug: "aws-okta" })).rejects.toMatchObject({
      details: { errors: [expect.objectContaining({ path: "app-groups.json/1/profile/samlRoles/0" })] },
    });
  });
});
