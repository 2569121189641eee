import { join } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import { makeRepos } from "../../src/store/kysely/repos.js";
import type { Database } from "../../src/store/kysely/schema.js";
import { migrateToLatest } from "../../src/store/migrations/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { backends, createPgDatabase } from "../helpers/backends.js";

const T = 1_800_000_000_000;
const limit = { ratePerSecond: 10, burst: 5 };

describe.each(backends)("SCIM budgets store on $name", (backend) => {
  let store: Store;
  /** A second connection pool on the same database: another node. */
  let other: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    other = opened.databaseUrl
      ? await openPostgresStore(opened.databaseUrl, { poolSize: 4 })
      : await openSqliteStore(join(opened.dataDir, "rolebridge.db"));
    cleanup = async () => {
      await other.close();
      await opened.cleanup();
    };
  });
  afterAll(async () => cleanup?.());

  const newApp = async () =>
    (
      await store.apps.insert({
        id: newId("app"),
        slug: `sso-${Math.random().toString(36).slice(2, 10)}`,
        type: "aws-iam-identity-center",
        label: "SSO",
        status: "ACTIVE",
        settings: {},
        at: new Date(T).toISOString(),
      })
    ).id;

  it("starts a bucket full, grants its burst, then refills at the rate", async () => {
    const app = await newApp();
    expect(await store.scimBudgets.get(app, "write")).toBeNull();
    const burst = [];
    for (let i = 0; i < 6; i++) burst.push((await store.scimBudgets.take(app, "write", 1, limit, T)).granted);
    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(await store.scimBudgets.get(app, "write")).toEqual({ tokens: 0, updatedMs: T, pausedUntilMs: 0 });
    // 10 a second: one token after 100 ms, not before.
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 99)).granted).toBe(false);
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 100)).granted).toBe(true);
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 100)).granted).toBe(false);
    // A long quiet spell refills only up to the burst.
    const later = await store.scimBudgets.take(app, "write", 1, limit, T + 60_000);
    expect(later).toEqual({ granted: true, tokens: 4, pausedUntilMs: 0 });
  });

  it("lets a request costlier than the burst through a full bucket, leaving a debt the rate repays", async () => {
    const app = await newApp();
    expect(await store.scimBudgets.take(app, "membership", 8, limit, T)).toEqual({
      granted: true,
      tokens: -3,
      pausedUntilMs: 0,
    });
    // -3 + 10/s × 0.35 s = 0.5: still short of one token.
    expect((await store.scimBudgets.take(app, "membership", 1, limit, T + 350)).granted).toBe(false);
    expect((await store.scimBudgets.take(app, "membership", 1, limit, T + 400)).granted).toBe(true);
  });

  it("keeps buckets apart per app and class", async () => {
    const [a, b] = [await newApp(), await newApp()];
    for (let i = 0; i < 5; i++) await store.scimBudgets.take(a, "read", 1, limit, T);
    expect((await store.scimBudgets.take(a, "read", 1, limit, T)).granted).toBe(false);
    expect((await store.scimBudgets.take(a, "write", 5, limit, T)).granted).toBe(true);
    expect((await store.scimBudgets.take(b, "read", 5, limit, T)).granted).toBe(true);
  });

  it("grants exactly the burst to concurrent takes from two connections", async () => {
    const app = await newApp();
    const wide = { ratePerSecond: 1, burst: 15 };
    const takes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? store : other).scimBudgets.take(app, "read", 1, wide, T)),
    );
    expect(takes.filter((t) => t.granted)).toHaveLength(15);
    expect((await other.scimBudgets.get(app, "read"))?.tokens).toBe(0);
  });

  it("refills nothing for a node whose clock is behind the bucket's", async () => {
    const app = await newApp();
    for (let i = 0; i < 5; i++) await store.scimBudgets.take(app, "all", 1, limit, T + 1000);
    // Another node's clock says 900 ms earlier: no time has passed for the bucket, and its time stays put.
    expect((await other.scimBudgets.take(app, "all", 1, limit, T + 100)).granted).toBe(false);
    expect((await other.scimBudgets.get(app, "all"))?.updatedMs).toBe(T + 1000);
    expect((await other.scimBudgets.take(app, "all", 1, limit, T + 1100)).granted).toBe(true);
  });

  it("grants nothing while paused, then resumes from one token", async () => {
    const app = await newApp();
    await store.scimBudgets.take(app, "write", 1, limit, T);
    await other.scimBudgets.pause(app, "write", T + 1000);
    // A shorter pause from a later 429 does not shorten it.
    await store.scimBudgets.pause(app, "write", T + 500);
    expect(await store.scimBudgets.take(app, "write", 1, limit, T + 999)).toEqual({
      granted: false,
      tokens: 1,
      pausedUntilMs: T + 1000,
    });
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 1000)).granted).toBe(true);
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 1000)).granted).toBe(false);
    expect((await store.scimBudgets.take(app, "write", 1, limit, T + 1100)).granted).toBe(true);
  });

  it("goes with its app", async () => {
    const app = await newApp();
    await store.scimBudgets.take(app, "read", 1, limit, T);
    await store.apps.delete(app);
    expect(await store.scimBudgets.get(app, "read")).toBeNull();
  });
});

describe("SCIM budgets on PostgreSQL without waiting for the WAL flush", () => {
  it("leave the connection committing synchronously for everything else", async () => {
    const pgDb = await createPgDatabase();
    // One connection, so the statement after the take runs on the very session that took.
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: pgDb.url, max: 1 }) }),
    });
    try {
      await migrateToLatest(db as Kysely<unknown>);
      const repos = makeRepos(db, "postgres");
      const app = await repos.apps.insert({
        id: newId("app"),
        slug: "sso",
        type: "aws-iam-identity-center",
        label: "SSO",
        status: "ACTIVE",
        settings: {},
        at: new Date(T).toISOString(),
      });
      const setting = async () =>
        (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]?.synchronous_commit;
      expect((await repos.scimBudgets.take(app.id, "read", 1, limit, T)).granted).toBe(true);
      expect((await repos.scimBudgets.take(app.id, "read", 1, limit, T)).granted).toBe(true);
      expect(await setting()).toBe("on");
      // Inside a caller's transaction the budget leaves the setting alone: the caller's writes stay durable.
      const inside = await db.transaction().execute(async (trx) => {
        await makeRepos(trx, "postgres", { bulk: null }).scimBudgets.take(app.id, "read", 1, limit, T);
        return (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(trx)).rows[0]
          ?.synchronous_commit;
      });
      expect(inside).toBe("on");
    } finally {
      await db.destroy();
      await pgDb.drop();
    }
  });
});
