import { join } from "node:path";
import type { Store } from "./contract.js";
import { openPostgresStore } from "./postgres/index.js";
import { openSqliteStore } from "./sqlite/index.js";

export interface StoreConfig {
  /** postgres://… selects PostgreSQL; otherwise SQLite in the data directory. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL: an idle connection the server ended (the pool replaces it). */
  onIdleError?: (err: Error) => void;
  /** Called once per statement sent to the database (BEGIN and COMMIT included): tests count round trips. */
  onQuery?: () => void;
}

export function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new Error("DATABASE_URL must start with postgres:// or postgresql:// (SQLite needs no URL)");
    }
    return openPostgresStore(config.databaseUrl, {
      ...(config.onIdleError ? { onIdleError: config.onIdleError } : {}),
      ...(config.onQuery ? { onQuery: config.onQuery } : {}),
    });
  }
  return openSqliteStore(join(config.dataDir, "rolebridge.db"), config.onQuery ? { onQuery: config.onQuery } : {});
}
