import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from "kysely";
import * as m001 from "./001-directory.js";
import * as m002 from "./002-apps.js";
import * as m003 from "./003-aws-role-catalog.js";
import * as m004 from "./004-totp.js";
import * as m005 from "./005-provisioning-outbox.js";
import * as m006 from "./006-provisioned-objects.js";
import * as m007 from "./007-provisioning-full-syncs.js";
import * as m008 from "./008-provisioned-in-doubt.js";
import * as m009 from "./009-group-assignment-priority.js";
import * as m010 from "./010-membership-rules.js";
import * as m011 from "./011-migration-journal.js";
import * as m012 from "./012-sign-in-throttle.js";
import * as m013 from "./013-device-authorizations.js";
import * as m014 from "./014-policy-backups.js";
import * as m015 from "./015-shared-budgets.js";
import * as m016 from "./016-directory-sources.js";
import * as m017 from "./017-activation-and-provisioning-switch.js";
import * as m018 from "./018-server-info.js";

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
  "009-group-assignment-priority": m009,
  "010-membership-rules": m010,
  "011-migration-journal": m011,
  "012-sign-in-throttle": m012,
  "013-device-authorizations": m013,
  "014-policy-backups": m014,
  "015-shared-budgets": m015,
  "016-directory-sources": m016,
  "018-server-info": m018,
  "017-activation-and-provisioning-switch": m017,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Migrations are numbered as they are written, and work written side by side can land out of number order (a
 * database may have run 013 before 011 exists). Each migration touches only its own tables and columns, so the
 * order between them does not matter and a missing lower number is simply applied.
 */
const migratorFor = (db: Kysely<unknown>) =>
  new Migrator({
    db,
    provider,
    migrationTableName: "rb_migrations",
    migrationLockTableName: "rb_migration_lock",
    allowUnorderedMigrations: true,
  });

/** Applies pending migrations; run at every start. Kysely takes a lock so concurrent nodes do not race. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  return outcome(await migratorFor(db).migrateToLatest());
}

/** Moves a database to exactly one migration (up or down): how upgrade tests rebuild an older release's schema. */
export async function migrateTo(db: Kysely<unknown>, name: keyof typeof migrations & string): Promise<string[]> {
  return outcome(await migratorFor(db).migrateTo(name));
}

function outcome({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
