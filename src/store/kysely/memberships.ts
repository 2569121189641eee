import type { Kysely } from "kysely";
import type { MembershipRepo } from "../contract.js";
import { decodeCursor, pageOf, toGroup, toUser } from "./rows.js";
import type { Database } from "./schema.js";

const CHUNK = 1000;

export function membershipRepo(db: Kysely<Database>): MembershipRepo {
  const touchGroup = (groupId: string, at: string) =>
    db.updateTable("groups").set({ members_updated_at: at }).where("id", "=", groupId).execute();

  return {
    async add(groupId, userId, at) {
      const r = await db
        .insertInto("group_members")
        .values({ group_id: groupId, user_id: userId, created_at: at })
        .onConflict((oc) => oc.columns(["user_id", "group_id"]).doNothing())
        .executeTakeFirst();
      const added = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      if (added) await touchGroup(groupId, at);
      return added;
    },

    async addMany(rows) {
      let n = 0;
      for (let i = 0; i < rows.length; i += CHUNK) {
        const r = await db
          .insertInto("group_members")
          .values(
            rows.slice(i, i + CHUNK).map((m) => ({ group_id: m.groupId, user_id: m.userId, created_at: m.created })),
          )
          .onConflict((oc) => oc.columns(["user_id", "group_id"]).doNothing())
          .executeTakeFirst();
        n += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      return n;
    },

    async remove(groupId, userId, at) {
      const r = await db
        .deleteFrom("group_members")
        .where("group_id", "=", groupId)
        .where("user_id", "=", userId)
        .executeTakeFirst();
      const removed = Number(r.numDeletedRows) > 0;
      if (removed) await touchGroup(groupId, at);
      return removed;
    },

    async has(groupId, userId) {
      const r = await db
        .selectFrom("group_members")
        .select("user_id")
        .where("user_id", "=", userId)
        .where("group_id", "=", groupId)
        .executeTakeFirst();
      return r !== undefined;
    },

    async groupsOfUser(userId) {
      const rows = await db
        .selectFrom("group_members as m")
        .innerJoin("groups as g", "g.id", "m.group_id")
        .selectAll("g")
        .where("m.user_id", "=", userId)
        .orderBy("g.id")
        .execute();
      return rows.map(toGroup);
    },

    async membersOfGroup(groupId, page) {
      let q = db
        .selectFrom("group_members as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .selectAll("u")
        .where("m.group_id", "=", groupId);
      const after = decodeCursor(page.after);
      if (after) q = q.where("m.user_id", ">", after);
      const rows = await q
        .orderBy("m.user_id")
        .limit(page.limit + 1)
        .execute();
      return pageOf(rows, page.limit, toUser);
    },

    async count() {
      const r = await db
        .selectFrom("group_members")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
