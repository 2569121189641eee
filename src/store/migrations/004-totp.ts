import type { Kysely } from "kysely";

/** Optional TOTP second factor: the sealed secret and the last accepted time step (no replay). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").addColumn("totp_secret_sealed", "text").execute();
  await db.schema.alterTable("users").addColumn("totp_last_step", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("totp_last_step").execute();
  await db.schema.alterTable("users").dropColumn("totp_secret_sealed").execute();
}
