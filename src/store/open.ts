import { join } from "node:path";
import type { Store } from "./contract.js";
import { openPostgresStore } from "./postgres/index.js";
import { openSqliteStore } from "./sqlite/index.js";

export interface StoreConfig {
  /** postgres://… selects PostgreSQL; otherwise SQLite in the data directory. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

export function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
      throw new Error("DATABASE_URL must start with postgres:// or postgresql:// (SQLite needs no URL)");
    }
    return openPostgresStore(config.databaseUrl);
  }
  return openSqliteStore(join(config.dataDir, "rolebridge.db"));
}
