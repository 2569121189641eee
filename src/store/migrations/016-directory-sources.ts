import type { Kysely } from "kysely";

/**
 * Directory sources (LDAP, Active Directory): the source itself (connection settings, sealed bind password, the
 * last sync's outcome and the incremental cursor, a lease so one node syncs at a time), and which rolebridge
 * person or group each directory entry became (`directory_source_entries`, keyed by the directory's stable id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("directory_sources")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("bind_password_sealed", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("cursor", "text")
    .addColumn("last_sync_at", "text")
    .addColumn("last_sync_kind", "text")
    .addColumn("last_sync_status", "text")
    .addColumn("last_sync_error", "text")
    .addColumn("last_sync_counts", "text")
    .addColumn("last_full_sync_at", "text")
    .addColumn("lease_until", "text")
    .execute();

  await db.schema
    .createTable("directory_source_entries")
    .addColumn("source_id", "text", (c) => c.notNull().references("directory_sources.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("external_id", "text", (c) => c.notNull())
    .addColumn("object_id", "text", (c) => c.notNull())
    .addColumn("dn", "text", (c) => c.notNull())
    .addColumn("dn_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("directory_source_entries_pk", ["source_id", "kind", "external_id"])
    .execute();
  await db.schema
    .createIndex("directory_source_entries_dn")
    .on("directory_source_entries")
    .columns(["source_id", "dn_key"])
    .execute();
  await db.schema
    .createIndex("directory_source_entries_object")
    .on("directory_source_entries")
    .columns(["object_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("directory_source_entries").execute();
  await db.schema.dropTable("directory_sources").execute();
}
