import type { Kysely } from "kysely";
import type { RuleHeldMembershipRepo } from "../contract-rules.js";
import type { Database } from "./schema.js";

/** 3 parameters a row keeps a chunk well under SQLite's 32766 parameters. */
const CHUNK = 5000;

/** Memberships held by membership rules: added not-direct, removed once no rule into the group holds them. */
export function ruleHeldMembershipRepo(
  db: Kysely<Database>,
  touchGroup: (groupId: string, at: string) => Promise<unknown>,
): RuleHeldMembershipRepo {
  return {
    async addHeld(groupId, userIds, at) {
      if (userIds.length === 0) return [];
      const existing = new Set(
        (
          await db
            .selectFrom("group_members")
            .select("user_id")
            .where("group_id", "=", groupId)
            .where("user_id", "in", [...userIds])
            .execute()
        ).map((r) => r.user_id),
      );
      const fresh = [...new Set(userIds)].filter((id) => !existing.has(id));
      for (let i = 0; i < fresh.length; i += CHUNK) {
        await db
          .insertInto("group_members")
          .values(
            fresh
              .slice(i, i + CHUNK)
              .map((userId) => ({ group_id: groupId, user_id: userId, created_at: at, direct: 0 })),
          )
          .execute();
      }
      if (fresh.length) await touchGroup(groupId, at);
      return fresh;
    },
    async removeUnheld(groupId, userIds, at) {
      if (userIds.length === 0) return [];
      const gone = await db
        .deleteFrom("group_members")
        .where("group_id", "=", groupId)
        .where("user_id", "in", [...userIds])
        .where("direct", "=", 0)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom("membership_rule_grants as g")
                .innerJoin("membership_rules as r", "r.id", "g.rule_id")
                .select("g.user_id")
                .whereRef("g.user_id", "=", "group_members.user_id")
                .where("r.to_group_id", "=", groupId),
            ),
          ),
        )
        .returning("user_id")
        .execute();
      if (gone.length) await touchGroup(groupId, at);
      return gone.map((r) => r.user_id);
    },
    async isDirect(groupId, userId) {
      const r = await db
        .selectFrom("group_members")
        .select("direct")
        .where("group_id", "=", groupId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      return r !== undefined && Number(r.direct) === 1;
    },
  };
}
