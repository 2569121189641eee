import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import * as m001 from "./001-directory.js";
import * as m002 from "./002-apps.js";
import * as m003 from "./003-aws-role-catalog.js";
import * as m004 from "./004-totp.js";
import * as m005 from "./005-provisioning-outbox.js";
import * as m006 from "./006-provisioned-objects.js";
import * as m007 from "./007-provisioning-full-syncs.js";
import * as m008 from "./008-provisioned-in-doubt.js";
import * as m012 from "./012-sign-in-throttle.js";

/** Migrations are listed in code (not read from disk) so the compiled package carries them. */
const migrations: Record<string, Migration> = {
  "001-directory": m001,
  "002-apps": m002,
  "003-aws-role-catalog": m003,
  "004-totp": m004,
  "005-provisioning-outbox": m005,
  "006-provisioned-objects": m006,
  "007-provisioning-full-syncs": m007,
  "008-provisioned-in-doubt": m008,
  "012-sign-in-throttle": m012,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Applies pending migrations; run at every start. Kysely takes a lock so concurrent nodes do not race. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "rb_migrations",
    migrationLockTableName: "rb_migration_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
