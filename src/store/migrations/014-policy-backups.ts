import type { Kysely } from "kysely";

/** Policy fixes of legacy API-mode principals: the old policy kept for restore and rollback, and the fix's state. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("policy_backups")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("principal_arn", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("old_document", "text")
    .addColumn("new_document", "text", (c) => c.notNull())
    .addColumn("old_version_id", "text")
    .addColumn("new_version_id", "text")
    .addColumn("deleted_version", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("policy_backups_app").on("policy_backups").columns(["app_id", "id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("policy_backups").execute();
}
