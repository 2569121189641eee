import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";

/**
 * Every storage-touching suite runs against both backends. PostgreSQL is required, not optional:
 * a missing server fails the run rather than silently testing one backend.
 * TEST_DATABASE_URL names a server/database we may CREATE DATABASE on (default: local trust auth).
 */
export const PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface Backend {
  name: "sqlite" | "postgres";
  /** A fresh, empty, migrated store; `url` is the DATABASE_URL for PostgreSQL. */
  open(): Promise<{ store: Store; dataDir: string; databaseUrl?: string; cleanup(): Promise<void> }>;
}

export function withDatabase(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rb_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: withDatabase(name),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const backends: Backend[] = [
  {
    name: "sqlite",
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), "rb-sqlite-"));
      const store = await openSqliteStore(join(dataDir, "rolebridge.db"));
      return {
        store,
        dataDir,
        async cleanup() {
          await store.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "postgres",
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), "rb-pg-"));
      const db = await createPgDatabase();
      const store = await openPostgresStore(db.url, { poolSize: 4 });
      return {
        store,
        dataDir,
        databaseUrl: db.url,
        async cleanup() {
          await store.close();
          await db.drop();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];
