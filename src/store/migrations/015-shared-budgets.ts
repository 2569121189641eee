import type { Kysely } from "kysely";

/**
 * Token buckets of provisioning apps' SCIM budgets, one row per (app, class: read, write, membership, or all for
 * targets with one rate), so every node of rolebridge draws from one budget per app. Token counts and times are
 * numbers (milliseconds since the epoch, exact in a double) because each take does its arithmetic in one UPDATE;
 * `granted` records whether the last take on the row was granted, which RETURNING reports.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("scim_budgets")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("class", "text", (c) => c.notNull())
    .addColumn("tokens", "double precision", (c) => c.notNull())
    .addColumn("updated_ms", "double precision", (c) => c.notNull())
    .addColumn("paused_until_ms", "double precision", (c) => c.notNull().defaultTo(0))
    .addColumn("granted", "integer", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("scim_budgets_pk", ["app_id", "class"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("scim_budgets").execute();
}
