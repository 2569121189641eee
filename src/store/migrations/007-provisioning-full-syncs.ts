import type { Kysely } from "kysely";

/**
 * Scheduled full reconciliation of provisioning apps: per app, when the last full sync started and ended (any
 * trigger), and the lease that lets one node at a time run the scheduled one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("provisioning_full_syncs")
    .addColumn("app_id", "text", (c) => c.primaryKey().references("apps.id").onDelete("cascade"))
    .addColumn("lease_until", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .addColumn("error", "text")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("provisioning_full_syncs").execute();
}
