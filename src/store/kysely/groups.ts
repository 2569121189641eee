import { type Insertable, type Kysely, sql } from "kysely";
import type { GroupChange, GroupRepo, NewGroup } from "../contract.js";
import { guardUnique } from "./errors.js";
import { decodeCursor, keyOf, pageOf, prefixPattern, toGroup } from "./rows.js";
import type { Database, GroupsTable } from "./schema.js";

const CHUNK = 500;

function row(g: NewGroup): Insertable<GroupsTable> {
  return {
    id: g.id,
    name: g.name,
    name_key: keyOf(g.name),
    description: g.description,
    source: g.source,
    external_id: g.externalId,
    created_at: g.at,
    updated_at: g.at,
    members_updated_at: g.at,
    version: 1,
  };
}

export const groupRefKey = (source: string, name: string) => `${source}\u0000${keyOf(name)}`;

export function groupRepo(db: Kysely<Database>): GroupRepo {
  return {
    async insert(g) {
      return toGroup(
        await guardUnique(db.insertInto("groups").values(row(g)).returningAll().executeTakeFirstOrThrow()),
      );
    },

    async insertMany(groups) {
      for (let i = 0; i < groups.length; i += CHUNK) {
        await guardUnique(
          db
            .insertInto("groups")
            .values(groups.slice(i, i + CHUNK).map(row))
            .execute(),
        );
      }
    },

    async get(id) {
      const r = await db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toGroup(r) : null;
    },

    async getByName(source, name) {
      const r = await db
        .selectFrom("groups")
        .selectAll()
        .where("source", "=", source)
        .where("name_key", "=", keyOf(name))
        .executeTakeFirst();
      return r ? toGroup(r) : null;
    },

    async idsByName(refs) {
      const out = new Map<string, string>();
      const bySource = new Map<string, Set<string>>();
      for (const r of refs) {
        const set = bySource.get(r.source) ?? new Set<string>();
        set.add(keyOf(r.name));
        bySource.set(r.source, set);
      }
      for (const [source, names] of bySource) {
        const keys = [...names];
        for (let i = 0; i < keys.length; i += CHUNK) {
          const rows = await db
            .selectFrom("groups")
            .select(["id", "name_key"])
            .where("source", "=", source)
            .where("name_key", "in", keys.slice(i, i + CHUNK))
            .execute();
          for (const r of rows) out.set(`${source}\u0000${r.name_key}`, r.id);
        }
      }
      return out;
    },

    async list(filter, page) {
      let q = db.selectFrom("groups").selectAll();
      const after = decodeCursor(page.after);
      if (after) q = q.where("id", ">", after);
      if (filter.name) q = q.where("name_key", "=", keyOf(filter.name));
      if (filter.source) q = q.where("source", "=", filter.source);
      if (filter.q) q = q.where(sql<boolean>`name_key like ${prefixPattern(filter.q)} escape '\\'`);
      const rows = await q
        .orderBy("id")
        .limit(page.limit + 1)
        .execute();
      return pageOf(rows, page.limit, toGroup);
    },

    async count() {
      const r = await db
        .selectFrom("groups")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async update(id, change: GroupChange, expectedVersion) {
      const set: Partial<GroupsTable> = { updated_at: change.at };
      if (change.name !== undefined) {
        set.name = change.name;
        set.name_key = keyOf(change.name);
      }
      if (change.description !== undefined) set.description = change.description;
      if (change.externalId !== undefined) set.external_id = change.externalId;
      let q = db
        .updateTable("groups")
        .set({ ...set, version: sql<number>`version + 1` })
        .where("id", "=", id);
      if (expectedVersion !== undefined) q = q.where("version", "=", expectedVersion);
      const r = await guardUnique(q.returningAll().executeTakeFirst());
      return r ? toGroup(r) : null;
    },

    async delete(id) {
      const r = await db.deleteFrom("groups").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
