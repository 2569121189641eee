import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { ensurePrivateDir, ensurePrivateFile } from "../../config/private-files.js";
import type { Store } from "../contract.js";
import { sqliteBulkWriter } from "../kysely/bulk.js";
import { kyselyStore, queryCounter } from "../kysely/repos.js";
import type { Database as Schema } from "../kysely/schema.js";
import { migrateToLatest } from "../migrations/index.js";

/** The embedded default: one SQLite file, WAL mode so the CLI can read while the server writes. */
export async function openSqliteStore(file: string, opts: { onQuery?: () => void } = {}): Promise<Store> {
  if (file !== ":memory:") {
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
  }
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // ANALYZE (after a bulk import or a directory sync) samples each index instead of reading every row: a million
  // memberships take a fraction of a second instead of about two, and the planner gets the same shape of numbers.
  sqlite.pragma("analysis_limit = 1000");
  // Files an older version created with the default umask are tightened too.
  for (const extra of [`${file}-wal`, `${file}-shm`]) if (existsSync(extra)) ensurePrivateFile(extra);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }), ...queryCounter(opts.onQuery) });
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStore(db, "sqlite", () => db.destroy(), sqliteBulkWriter(sqlite));
}
