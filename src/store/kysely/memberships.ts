import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Membership } from "../../core/directory/model.js";
import type { MembershipRepo } from "../contract.js";
import type { RuleHeldMembershipRepo } from "../contract-rules.js";
import type { BulkWriter } from "./bulk.js";
import { decodeCursor, pageOf, toGroup, toUser } from "./rows.js";
import { ruleHeldMembershipRepo } from "./rule-held-memberships.js";
import type { Database } from "./schema.js";

/** 3 parameters a row: 5000 rows stay well under SQLite's 32766 and PostgreSQL's 65535 parameters. */
const CHUNK = 5000;
/** PostgreSQL takes whole columns as 3 array parameters, so its chunks can be larger. */
const PG_CHUNK = 20_000;

export function membershipRepo(
  db: Kysely<Database>,
  bulk: BulkWriter | null = null,
): MembershipRepo & RuleHeldMembershipRepo {
  const touchGroup = (groupId: string, at: string) =>
    db.updateTable("groups").set({ members_updated_at: at }).where("id", "=", groupId).execute();

  const makeDirect = (groupId: string, userIds: readonly string[]) =>
    db
      .updateTable("group_members")
      .set({ direct: 1 })
      .where("group_id", "=", groupId)
      .where("user_id", "in", [...userIds])
      .where("direct", "=", 0)
      .execute();
  const anyHeldOnly = async () =>
    (await db.selectFrom("group_members").select("user_id").where("direct", "=", 0).limit(1).executeTakeFirst()) !==
    undefined;

  const insertMany = async (rows: Membership[]): Promise<number> => {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      // unnest() keeps the statement 3 parameters long whatever the row count: no per-row parameter
      // parsing or planning, which is most of the client-side cost of a million-row import.
      let n = 0;
      for (let i = 0; i < rows.length; i += PG_CHUNK) {
        const part = rows.slice(i, i + PG_CHUNK);
        const r = await sql`insert into group_members (group_id, user_id, created_at)
            select * from unnest(${part.map((m) => m.groupId)}::text[], ${part.map((m) => m.userId)}::text[],
              ${part.map((m) => m.created)}::text[])
            on conflict (user_id, group_id) do nothing`.execute(db);
        n += Number(r.numAffectedRows ?? 0);
      }
      return n;
    }
    if (bulk) {
      return bulk.insert(
        "group_members (group_id, user_id, created_at)",
        "on conflict (user_id, group_id) do nothing",
        3,
        rows,
        (m, out) => out.push(m.groupId, m.userId, m.created),
      );
    }
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
  };

  const ruleHeld = ruleHeldMembershipRepo(db, touchGroup);

  return {
    async add(groupId, userId, at) {
      const r = await db
        .insertInto("group_members")
        .values({ group_id: groupId, user_id: userId, created_at: at })
        .onConflict((oc) => oc.columns(["user_id", "group_id"]).doNothing())
        .executeTakeFirst();
      const added = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
      if (added) await touchGroup(groupId, at);
      else await makeDirect(groupId, [userId]);
      return added;
    },

    async addMany(rows) {
      const n = await insertMany(rows);
      // Rows a membership rule already held become direct too; rare, so only looked for when such rows exist.
      if (n < rows.length && (await anyHeldOnly())) {
        for (const r of rows) await makeDirect(r.groupId, [r.userId]);
      }
      return n;
    },

    ...ruleHeld,

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
