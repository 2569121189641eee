import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { AppService } from "../../src/core/apps/service.js";
import type { Actor } from "../../src/core/audit.js";
import type { Store } from "../../src/store/contract.js";
import { migrateTo } from "../../src/store/migrations/index.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { backends } from "../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

/**
 * Migration 017: a provisioning app that existed before the "Enable API integration" switch keeps provisioning
 * after the upgrade, while one created afterwards starts switched off.
 */
describe.each(backends)("the provisioning switch on upgrade on $name", (backend) => {
  it("turns existing apps on, and new provisioning apps start off", async () => {
    const opened = await backend.open();
    let upgraded: Store | undefined;
    try {
      const created = await new AppService(opened.store).create(actor, {
        slug: "sso-old",
        type: "generic-scim2",
        label: "Old",
        settings: { baseUrl: "https://scim.example/v2" },
      });
      expect(created.provisioningEnabled).toBe(false);
      await opened.store.close();
      const db =
        backend.name === "sqlite"
          ? new Kysely<unknown>({
              dialect: new SqliteDialect({ database: new Database(`${opened.dataDir}/rolebridge.db`) }),
            })
          : new Kysely<unknown>({
              dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: opened.databaseUrl }) }),
            });
      // Back to the release before 017 (the column goes), then up again as an upgrade does at start.
      await migrateTo(db, "016-directory-sources");
      await db.destroy();
      upgraded =
        backend.name === "sqlite"
          ? await openSqliteStore(`${opened.dataDir}/rolebridge.db`)
          : await openPostgresStore(opened.databaseUrl ?? "", { poolSize: 2 });
      const store = upgraded;
      expect((await store.apps.getBySlug("sso-old"))?.provisioningEnabled).toBe(true);
      const fresh = await new AppService(store).create(actor, { slug: "sso-new", type: "generic-scim2", label: "New" });
      expect(fresh.provisioningEnabled).toBe(false);
      const federation = await new AppService(store).create(actor, {
        slug: "aws-new",
        type: "aws-account-federation",
        label: "AWS",
      });
      expect(federation.provisioningEnabled).toBe(true);
    } finally {
      await upgraded?.close();
      await opened.cleanup();
    }
  });
});
