import type { Kysely, Selectable } from "kysely";
import type { MembershipRule } from "../../core/directory/model.js";
import type { MembershipRuleRepo } from "../contract-rules.js";
import type { Database, MembershipRulesTable } from "./schema.js";

/** 2 parameters a row keeps a chunk well under SQLite's 32766 parameters. */
const CHUNK = 5000;

const toRule = (r: Selectable<MembershipRulesTable>): MembershipRule => ({
  id: r.id,
  fromGroupId: r.from_group_id,
  toGroupId: r.to_group_id,
  created: r.created_at,
  createdBy: r.created_by,
});

export function membershipRuleRepo(db: Kysely<Database>): MembershipRuleRepo {
  const chunks = <T>(items: readonly T[]) => {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
    return out;
  };
  return {
    async insert(rule) {
      await db
        .insertInto("membership_rules")
        .values({
          id: rule.id,
          from_group_id: rule.fromGroupId,
          to_group_id: rule.toGroupId,
          created_at: rule.created,
          created_by: rule.createdBy,
        })
        .execute();
      return rule;
    },
    async get(id) {
      const r = await db.selectFrom("membership_rules").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toRule(r) : null;
    },
    async delete(id) {
      const r = await db.deleteFrom("membership_rules").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async list() {
      return (await db.selectFrom("membership_rules").selectAll().orderBy("created_at").orderBy("id").execute()).map(
        toRule,
      );
    },
    async fromGroups(groupIds) {
      if (groupIds.length === 0) return [];
      const rows = [];
      for (const part of chunks(groupIds)) {
        rows.push(
          ...(await db
            .selectFrom("membership_rules")
            .selectAll()
            .where("from_group_id", "in", part)
            .orderBy("id")
            .execute()),
        );
      }
      return rows.map(toRule);
    },
    async grant(ruleId, userIds) {
      for (const part of chunks([...new Set(userIds)])) {
        await db
          .insertInto("membership_rule_grants")
          .values(part.map((userId) => ({ rule_id: ruleId, user_id: userId })))
          .onConflict((oc) => oc.columns(["rule_id", "user_id"]).doNothing())
          .execute();
      }
    },
    async revoke(ruleId, userIds) {
      for (const part of chunks(userIds)) {
        await db
          .deleteFrom("membership_rule_grants")
          .where("rule_id", "=", ruleId)
          .where("user_id", "in", part)
          .execute();
      }
    },
    async granted(ruleId) {
      const rows = await db
        .selectFrom("membership_rule_grants")
        .select("user_id")
        .where("rule_id", "=", ruleId)
        .orderBy("user_id")
        .execute();
      return rows.map((r) => r.user_id);
    },
    async holders(toGroupId, userId) {
      const rows = await db
        .selectFrom("membership_rule_grants as g")
        .innerJoin("membership_rules as r", "r.id", "g.rule_id")
        .selectAll("r")
        .where("g.user_id", "=", userId)
        .where("r.to_group_id", "=", toGroupId)
        .orderBy("r.id")
        .execute();
      return rows.map(toRule);
    },
    async heldForUser(userId) {
      const rows = await db
        .selectFrom("membership_rule_grants as g")
        .innerJoin("membership_rules as r", "r.id", "g.rule_id")
        .selectAll("r")
        .where("g.user_id", "=", userId)
        .orderBy("r.id")
        .execute();
      return rows.map(toRule);
    },
  };
}
