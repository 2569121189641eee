import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { isStoreUnavailable } from "../../src/store/unavailable.js";
import { createPgDatabase, PG_ADMIN_URL } from "../helpers/backends.js";

async function terminateBackends(url: string): Promise<number> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
    return r.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe("PostgreSQL store when the server ends its connections (a restart, a failover)", () => {
  it("survives a connection cut inside a transaction, fails that work as unavailable, and answers again at once", async () => {
    const db = await createPgDatabase();
    const store = await openPostgresStore(db.url, { poolSize: 3 });
    try {
      let cut!: () => void;
      const cutDone = new Promise<void>((resolve) => {
        cut = resolve;
      });
      // The client is checked out and idle between two statements when the server ends it: the case that used
      // to be an unhandled 'error' event and took the whole process down.
      const tx = store.transaction(async (t) => {
        await t.users.getByLogin("nobody@example.com");
        await cutDone;
        await delay(200);
        return t.users.getByLogin("nobody@example.com");
      });
      const outcome = tx.then(
        () => "committed",
        (err: unknown) => err,
      );
      await store.ping();
      expect(await terminateBackends(db.url)).toBeGreaterThanOrEqual(2);
      cut();
      const err = await outcome;
      expect(err).not.toBe("committed");
      expect(isStoreUnavailable(err)).toBe(true);
      // The pool dropped the dead clients; the next queries open new connections.
      await store.ping();
      await expect(store.users.getByLogin("nobody@example.com")).resolves.toBeNull();
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
