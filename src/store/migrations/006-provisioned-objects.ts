import type { Kysely } from "kysely";

/**
 * What each provisioning app's target holds as far as rolebridge knows: per user and group its remote id,
 * status and last error (the status pages), and per group the members last written (AWS never lists them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("provisioned_objects")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("object_id", "text", (c) => c.notNull())
    .addColumn("remote_id", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("last_error", "text")
    .addColumn("members", "text")
    .addColumn("synced_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("provisioned_objects_pk", ["app_id", "kind", "object_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("provisioned_objects").execute();
}
