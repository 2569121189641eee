import type { Kysely } from "kysely";

/** Applications, their assignments, SAML signing keys and sealed secrets. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("apps")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("label", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("settings", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("app_assignments")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("principal_type", "text", (c) => c.notNull())
    .addColumn("principal_id", "text", (c) => c.notNull())
    .addColumn("profile", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("app_assignments_pk", ["app_id", "principal_type", "principal_id"])
    .execute();
  // "Which apps reach this user?" is asked by the dashboard at every visit.
  await db.schema
    .createIndex("app_assignments_principal")
    .on("app_assignments")
    .columns(["principal_type", "principal_id"])
    .execute();

  await db.schema
    .createTable("app_signing_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("bits", "integer", (c) => c.notNull())
    .addColumn("certificate_pem", "text", (c) => c.notNull())
    .addColumn("private_key_sealed", "text", (c) => c.notNull())
    .addColumn("not_after", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("activated_at", "text")
    .addColumn("retired_at", "text")
    .execute();
  await db.schema.createIndex("app_signing_keys_app").on("app_signing_keys").columns(["app_id", "state"]).execute();

  await db.schema
    .createTable("app_secrets")
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("sealed", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("app_secrets_pk", ["app_id", "name"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["app_secrets", "app_signing_keys", "app_assignments", "apps"]) {
    await db.schema.dropTable(table).execute();
  }
}
