import type { Kysely } from "kysely";

/** Legacy API mode: role lists discovered from AWS per connected account, and the refresh lease per app. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("aws_role_catalog")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("account_id", "text", (c) => c.notNull())
    .addColumn("alias", "text")
    .addColumn("roles", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("refreshed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("aws_role_catalog_pk", ["app_id", "account_id"])
    .execute();

  await db.schema
    .createTable("aws_refresh_runs")
    .addColumn("app_id", "text", (c) => c.primaryKey().references("apps.id").onDelete("cascade"))
    .addColumn("lease_until", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("aws_refresh_runs").execute();
  await db.schema.dropTable("aws_role_catalog").execute();
}
