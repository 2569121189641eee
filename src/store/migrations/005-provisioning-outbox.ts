import type { Kysely } from "kysely";

/**
 * Transactional outbox for provisioning: every directory change that may matter to a SCIM target writes a
 * row here in the same transaction as the change; workers claim rows and turn them into requests.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("provisioning_outbox")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("object_id", "text", (c) => c.notNull())
    .addColumn("app_id", "text")
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("next_attempt_at", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("claimed_by", "text")
    .addColumn("claimed_until", "text")
    .addColumn("last_error", "text")
    .execute();
  // Workers look for due rows in id order.
  await db.schema
    .createIndex("provisioning_outbox_due")
    .on("provisioning_outbox")
    .columns(["next_attempt_at", "id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("provisioning_outbox").execute();
}
