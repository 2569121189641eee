import type { Kysely } from "kysely";

/**
 * Sign-in attempts counted per key — (login, client address), client address, login — in fixed windows.
 * An attempt is reserved (counted) before its password is checked, so concurrent attempts cannot all pass
 * a check that read the same count. `login_key` lets an administrator clear every key of one person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("sign_in_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("login_key", "text")
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("window_start", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sign_in_throttle_login").on("sign_in_throttle").column("login_key").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("sign_in_throttle").execute();
}
