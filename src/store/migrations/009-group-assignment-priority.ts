import { type Kysely, sql } from "kysely";
import { ulid } from "ulidx";

/**
 * Okta's assignment semantics: a group assignment carries a priority (0 is highest, unique per app) that decides
 * a group-only person's roles in priority mode. Existing group assignments are numbered in creation order.
 *
 * The rule itself changed with this release (people assigned only through groups now get their groups' roles
 * whatever Join all roles says), so every existing AWS app gets an upgrade notice: the runtime computes, once,
 * who gains or loses what, writes it to the System Log and keeps it in `apps lint` until an admin acknowledges.
 */
interface Tables {
  apps: { id: string; type: string };
  app_assignments: {
    app_id: string;
    principal_type: string;
    principal_id: string;
    created_at: string;
    priority: number | null;
  };
  app_upgrade_notices: { id: string; app_id: string; kind: string; created_at: string };
}

export async function up(db: Kysely<Tables>): Promise<void> {
  await db.schema.alterTable("app_assignments").addColumn("priority", "integer").execute();
  const groupAssignments = await db
    .selectFrom("app_assignments")
    .select(["app_id", "principal_id"])
    .where("principal_type", "=", "group")
    .orderBy("app_id")
    .orderBy("created_at")
    .orderBy("principal_id")
    .execute();
  const next = new Map<string, number>();
  for (const a of groupAssignments) {
    const priority = next.get(a.app_id) ?? 0;
    next.set(a.app_id, priority + 1);
    await db
      .updateTable("app_assignments")
      .set({ priority })
      .where("app_id", "=", a.app_id)
      .where("principal_type", "=", "group")
      .where("principal_id", "=", a.principal_id)
      .execute();
  }
  await db.schema
    .createIndex("app_assignments_priority")
    .on("app_assignments")
    .columns(["app_id", "priority"])
    .unique()
    .where(sql.ref("priority"), "is not", null)
    .execute();

  await db.schema
    .createTable("app_upgrade_notices")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("app_id", "text", (c) => c.notNull().references("apps.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    /** JSON once computed; null while the runtime has still to work out who is affected. */
    .addColumn("details", "text")
    .addColumn("acknowledged_at", "text")
    .addColumn("acknowledged_by", "text")
    .execute();
  await db.schema.createIndex("app_upgrade_notices_app").on("app_upgrade_notices").columns(["app_id"]).execute();

  const apps = await db.selectFrom("apps").select("id").where("type", "=", "aws-account-federation").execute();
  const at = new Date().toISOString();
  for (const app of apps) {
    await db
      .insertInto("app_upgrade_notices")
      .values({ id: `upg_${ulid()}`, app_id: app.id, kind: "group-assignment-rule", created_at: at })
      .execute();
  }
}

export async function down(db: Kysely<Tables>): Promise<void> {
  await db.schema.dropTable("app_upgrade_notices").execute();
  await db.schema.dropIndex("app_assignments_priority").execute();
  await db.schema.alterTable("app_assignments").dropColumn("priority").execute();
}
