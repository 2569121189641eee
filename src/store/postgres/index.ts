import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Store } from "../contract.js";
import { kyselyStore } from "../kysely/repos.js";
import type { Database as Schema } from "../kysely/schema.js";
import { migrateToLatest } from "../migrations/index.js";

/** PostgreSQL for several stateless nodes sharing one database. */
export async function openPostgresStore(url: string, opts: { poolSize?: number } = {}): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStore(db, "postgres", () => db.destroy());
}
