import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { createPgDatabase, PG_ADMIN_URL } from "../helpers/backends.js";

describe("PostgreSQL store when the server ends its connections", () => {
  let db: Awaited<ReturnType<typeof createPgDatabase>>;
  let store: Store;
  const lost: Error[] = [];

  beforeAll(async () => {
    db = await createPgDatabase();
    store = await openPostgresStore(db.url, { poolSize: 2, onIdleError: (err) => lost.push(err) });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("survives idle connections being terminated (a restart or failover) and reconnects on the next query", async () => {
    expect(await store.users.count()).toBe(0);
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [name],
      );
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await expect.poll(() => lost.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(lost[0]?.message).toMatch(/terminat/);
    expect(await store.users.count()).toBe(0);
  });
});
