import type { Kysely } from "kysely";

/**
 * What a sync was writing when it may have died: before a write whose outcome a crash would hide, the object
 * is marked in doubt (a group: the members being changed; a user: its own state), and the next sync re-sends
 * or re-reads exactly that instead of trusting the record. Cleared when a sync records the outcome.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("provisioned_objects").addColumn("in_doubt", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("provisioned_objects").dropColumn("in_doubt").execute();
}
