import { type Kysely, sql } from "kysely";

/**
 * Issue 16: one-time activation / reset links (stored as SHA-256 of the token, one live link per person), and
 * the provisioning apps' "Enable API integration" switch. Existing apps keep provisioning (default 1); new
 * provisioning apps are created with it off by the app service, so an admin can dry-run before anything is sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("activation_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("activation_tokens_user").on("activation_tokens").columns(["user_id"]).execute();

  await db.schema
    .alterTable("apps")
    .addColumn("provisioning_enabled", "integer", (c) => c.notNull().defaultTo(sql`1`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("apps").dropColumn("provisioning_enabled").execute();
  await db.schema.dropTable("activation_tokens").execute();
}
