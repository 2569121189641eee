import type { Kysely } from "kysely";

/**
 * Sign-in for programs (OAuth 2.0 Device Authorization Grant, RFC 8628): pending device authorizations and
 * the end-user CLI sessions they turn into. Every code and token is stored as its SHA-256 only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("device_authorizations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("device_code_hash", "text", (c) => c.notNull().unique())
    .addColumn("user_code_hash", "text", (c) => c.notNull().unique())
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("scope", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("interval_seconds", "integer", (c) => c.notNull())
    .addColumn("last_polled_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("decided_at", "text")
    .execute();
  await db.schema
    .createIndex("device_authorizations_expires")
    .on("device_authorizations")
    .column("expires_at")
    .execute();

  await db.schema
    .createTable("cli_sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("client_id", "text", (c) => c.notNull())
    .addColumn("access_token_hash", "text", (c) => c.notNull().unique())
    .addColumn("refresh_token_hash", "text", (c) => c.notNull().unique())
    .addColumn("access_expires_at", "text", (c) => c.notNull())
    .addColumn("session_expires_at", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text")
    .addColumn("revoked_at", "text")
    .execute();
  await db.schema.createIndex("cli_sessions_user").on("cli_sessions").column("user_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("cli_sessions").execute();
  await db.schema.dropTable("device_authorizations").execute();
}
