import type { Kysely } from "kysely";

/**
 * Membership rules ("members of group G are members of group R", Okta's group rules): the rule, the memberships
 * each rule holds (`membership_rule_grants`), and whether a membership was also made directly (`direct`), so
 * a membership stays while anything holds it and goes when the last holder does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("group_members")
    .addColumn("direct", "integer", (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable("membership_rules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("from_group_id", "text", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("to_group_id", "text", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addUniqueConstraint("membership_rules_pair", ["from_group_id", "to_group_id"])
    .execute();
  await db.schema.createIndex("membership_rules_to").on("membership_rules").columns(["to_group_id"]).execute();

  await db.schema
    .createTable("membership_rule_grants")
    .addColumn("rule_id", "text", (c) => c.notNull().references("membership_rules.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("membership_rule_grants_pk", ["rule_id", "user_id"])
    .execute();
  await db.schema
    .createIndex("membership_rule_grants_user")
    .on("membership_rule_grants")
    .columns(["user_id", "rule_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("membership_rule_grants").execute();
  await db.schema.dropTable("membership_rules").execute();
  await db.schema.alterTable("group_members").dropColumn("direct").execute();
}
