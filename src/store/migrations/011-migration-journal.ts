import type { Kysely } from "kysely";

/**
 * The migration toolkit's journal: one run per apply of a plan (the plan it applies kept with it, so a resumed
 * apply finishes the same plan), and one row per step done, with what undoing it needs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("migration_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("from_app_id", "text", (c) => c.notNull())
    .addColumn("from_slug", "text", (c) => c.notNull())
    .addColumn("to_slug", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("plan", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("migration_runs_pair")
    .on("migration_runs")
    .columns(["from_app_id", "to_slug", "created_at"])
    .execute();
  await db.schema
    .createTable("migration_steps")
    .addColumn("run_id", "text", (c) => c.notNull().references("migration_runs.id").onDelete("cascade"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("result", "text", (c) => c.notNull())
    .addColumn("done_at", "text", (c) => c.notNull())
    .addColumn("undone_at", "text")
    .addPrimaryKeyConstraint("migration_steps_pk", ["run_id", "key"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("migration_steps").execute();
  await db.schema.dropTable("migration_runs").execute();
}
