import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { lintAwsApp } from "../../../src/core/apps/lint.js";
import { AppService } from "../../../src/core/apps/service.js";
import { acknowledgeUpgradeNotice, computePendingUpgradeNotices } from "../../../src/core/apps/upgrade-notices.js";
import type { Actor } from "../../../src/core/audit.js";
import { directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import { systemClock } from "../../../src/core/ids.js";
import type { Store } from "../../../src/store/contract.js";
import { migrateTo } from "../../../src/store/migrations/index.js";
import { openPostgresStore } from "../../../src/store/postgres/index.js";
import { openSqliteStore } from "../../../src/store/sqlite/index.js";
import { type Backend, backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const ACCOUNT = "222233334444";
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const person = (login: string) => ({
  profile: { login, email: login, firstName: "M", lastName: "P", displayName: null },
});

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

/** Closes the store, moves its database to an older migration and back to the latest, as an upgrade does. */
async function reopenAfterUpgradeFrom(
  backend: Backend,
  opened: { store: Store; dataDir: string; databaseUrl?: string },
  olderMigration: "008-provisioned-in-doubt",
): Promise<Store> {
  await opened.store.close();
  const db =
    backend.name === "sqlite"
      ? new Kysely<unknown>({
          dialect: new SqliteDialect({ database: new Database(`${opened.dataDir}/rolebridge.db`) }),
        })
      : new Kysely<unknown>({
          dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: opened.databaseUrl }) }),
        });
  await migrateTo(db, olderMigration);
  await db.destroy();
  return backend.name === "sqlite"
    ? openSqliteStore(`${opened.dataDir}/rolebridge.db`)
    : openPostgresStore(opened.databaseUrl ?? "", { poolSize: 2 });
}

describe.each(backends)("group assignments: priority and the group-only rule on $name", (backend) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function setUp() {
    const opened = await backend.open();
    let store = opened.store;
    cleanup = async () => {
      await store.close().catch(() => undefined);
      opened.store = store;
      await opened.cleanup();
    };
    const dir = directory(store);
    const apps = new AppService(store);
    const app = await apps.create(actor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS (legacy)",
      settings: { defaultSamlProviderName: "rolebridge" },
    });
    const groups = [];
    for (const name of ["legacy-team", "admins", "auditors"]) groups.push(await dir.groups.create(actor, { name }));
    return { opened, store, dir, apps, app, groups, setStore: (s: Store) => (store = s) };
  }

  it("a person assigned only through a group gets its roles with Join all roles off (the reported case)", async () => {
    const { dir, apps, groups } = await setUp();
    const m2 = await dir.users.create(actor, person("m2@example.com"));
    await dir.groups.addMember(actor, groups[0]!.id, m2.id);
    await apps.assign(actor, "aws-legacy", "group", groups[0]!.id, { samlRoles: [{ roleArn: role("ReadOnly") }] });
    const result = await apps.explain("aws-legacy", m2);
    expect(result.assignmentRule).toBe("groups-combine");
    expect(result.roles.map((r) => [r.roleArn, r.providerArn])).toEqual([
      [role("ReadOnly"), `arn:aws:iam::${ACCOUNT}:saml-provider/rolebridge`],
    ]);
  });

  it("keeps priorities dense: new ones go last, a move shifts the others, an unassignment closes the gap", async () => {
    const { store, dir, apps, app, groups } = await setUp();
    const someone = await dir.users.create(actor, person("someone@example.com"));
    const [a, b, c] = groups.map((g) => g.id) as [string, string, string];
    for (const id of [a, b, c]) await apps.assign(actor, "aws-legacy", "group", id, {});
    const order = async () =>
      (await store.assignments.listForApp(app.id))
        .filter((x) => x.principalType === "group")
        .sort((x, y) => (x.priority ?? 0) - (y.priority ?? 0))
        .map((x) => [x.principalId, x.priority]);
    expect(await order()).toEqual([
      [a, 0],
      [b, 1],
      [c, 2],
    ]);
    const moved = await apps.assign(actor, "aws-legacy", "group", c, {}, { priority: 0 });
    expect(moved.priority).toBe(0);
    expect(await order()).toEqual([
      [c, 0],
      [a, 1],
      [b, 2],
    ]);
    await apps.unassign(actor, "aws-legacy", "group", a);
    expect(await order()).toEqual([
      [c, 0],
      [b, 1],
    ]);

    const tooLow = await refusal(apps.assign(actor, "aws-legacy", "group", b, {}, { priority: 2 }));
    expect(tooLow.details.errors).toEqual([
      { path: "/priority", message: "the app has 2 group assignment(s): priority must be from 0 to 1" },
    ]);
    const onUser = await refusal(apps.assign(actor, "aws-legacy", "user", someone.id, {}, { priority: 0 }));
    expect(onUser.details.errors).toEqual([{ path: "/priority", message: "only group assignments have a priority" }]);
    expect(await store.assignments.get(app.id, "user", someone.id)).toBeNull();
    expect(await order()).toEqual([
      [c, 0],
      [b, 1],
    ]);
  });

  it("priority mode: a group-only person gets only the highest-priority group assignment's roles", async () => {
    const { dir, apps, groups } = await setUp();
    const p = await dir.users.create(actor, person("p@example.com"));
    for (const g of groups.slice(1)) await dir.groups.addMember(actor, g.id, p.id);
    await apps.assign(actor, "aws-legacy", "group", groups[1]!.id, { samlRoles: [{ roleArn: role("Admin") }] });
    await apps.assign(actor, "aws-legacy", "group", groups[2]!.id, { samlRoles: [{ roleArn: role("Audit") }] });
    expect((await apps.explain("aws-legacy", p)).roles.map((r) => r.roleName)).toEqual(["Admin", "Audit"]);
    await apps.update(actor, "aws-legacy", { settings: { groupAssignmentMode: "priority" } });
    expect((await apps.explain("aws-legacy", p)).roles.map((r) => r.roleName)).toEqual(["Admin"]);
    await apps.assign(
      actor,
      "aws-legacy",
      "group",
      groups[2]!.id,
      { samlRoles: [{ roleArn: role("Audit") }] },
      { priority: 0 },
    );
    const after = await apps.explain("aws-legacy", p);
    expect(after.roles.map((r) => r.roleName)).toEqual(["Audit"]);
    expect(after.ignoredGroupAssignments.map((i) => [i.groupName, i.reason, i.winner?.groupName])).toEqual([
      ["admins", "lower_priority", "auditors"],
    ]);
  });

  it("an upgrade records who the new rule gives roles to, once, in the System Log and lint, until acknowledged", async () => {
    const ctx = await setUp();
    const { dir, apps, groups, app } = ctx;
    const m1 = await dir.users.create(actor, person("m1@example.com"));
    const m2 = await dir.users.create(actor, person("m2@example.com"));
    for (const u of [m1, m2]) await dir.groups.addMember(actor, groups[0]!.id, u.id);
    await apps.assign(actor, "aws-legacy", "group", groups[0]!.id, { samlRoles: [{ roleArn: role("ReadOnly") }] });
    await apps.assign(actor, "aws-legacy", "group", groups[1]!.id, {});
    await apps.assign(actor, "aws-legacy", "user", m1.id, { samlRoles: [{ roleArn: role("Own") }] });

    const store = await reopenAfterUpgradeFrom(backend, ctx.opened, "008-provisioned-in-doubt");
    ctx.setStore(store);
    const groupPriorities = (await store.assignments.listForApp(app.id))
      .filter((a) => a.principalType === "group")
      .map((a) => [a.principalId, a.priority]);
    expect(groupPriorities.sort()).toEqual(
      [
        [groups[0]!.id, 0],
        [groups[1]!.id, 1],
      ].sort(),
    );

    expect(await computePendingUpgradeNotices(store, systemClock)).toBe(1);
    expect(await computePendingUpgradeNotices(store, systemClock)).toBe(0);
    const pair = `arn:aws:iam::${ACCOUNT}:saml-provider/rolebridge,${role("ReadOnly")}`;
    const lint = await lintAwsApp(store, app);
    expect(lint.upgradeNotices).toHaveLength(1);
    const notice = lint.upgradeNotices[0]!;
    expect(notice.details?.people).toEqual([{ userId: m2.id, login: "m2@example.com", gained: [pair], lost: [] }]);

    const logged = (await store.log.list({ action: "application.upgrade.assignment_rule" }, { limit: 10 })).items;
    expect(logged).toHaveLength(1);
    expect(logged[0]?.summary).toMatchObject({ noticeId: notice.id, people: [{ login: "m2@example.com" }] });

    await acknowledgeUpgradeNotice(store, systemClock, actor, app, notice.id);
    expect((await lintAwsApp(store, app)).upgradeNotices).toEqual([]);
    expect((await refusal(acknowledgeUpgradeNotice(store, systemClock, actor, app, notice.id))).code).toBe("conflict");
  });
});
