import type { Kysely } from "kysely";

/**
 * Where each server runs, recorded at its start: CLI commands read the public URL from here, so an app created at
 * the terminal gets the entityID of the server people actually reach (not the default http://127.0.0.1:8080).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("server_info")
    .addColumn("node", "text", (c) => c.primaryKey())
    .addColumn("public_url", "text", (c) => c.notNull())
    .addColumn("listen_url", "text", (c) => c.notNull())
    .addColumn("data_dir", "text")
    .addColumn("started_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("server_info").execute();
}
