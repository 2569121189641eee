import type { Kysely, Selectable } from "kysely";
import type { UserStatus } from "../../core/directory/model.js";
import type { SyncKind, SyncStatus } from "../../core/sources/model.js";
import type { DirectorySourceRepo, DirectorySourceRow, SourceEntry } from "../contract-sources.js";
import type { BulkWriter } from "./bulk.js";
import type { Database, DirectorySourcesTable } from "./schema.js";

/** Keys per IN list: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 900;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toSource(r: Selectable<DirectorySourcesTable>): DirectorySourceRow {
  return {
    id: r.id,
    name: r.name,
    type: r.type as "ldap",
    settings: JSON.parse(r.settings),
    bindPasswordSealed: r.bind_password_sealed,
    created: r.created_at,
    lastUpdated: r.updated_at,
    version: Number(r.version),
    cursor: r.cursor,
    lastFullSync: r.last_full_sync_at,
    lastSync: r.last_sync_at
      ? {
          at: r.last_sync_at,
          kind: r.last_sync_kind as SyncKind,
          status: r.last_sync_status as SyncStatus,
          error: r.last_sync_error,
          counts: r.last_sync_counts ? JSON.parse(r.last_sync_counts) : null,
        }
      : null,
  };
}

const entryOf = (r: { kind: string; external_id: string; object_id: string; dn: string; dn_key: string }) => ({
  kind: r.kind as SourceEntry["kind"],
  externalId: r.external_id,
  objectId: r.object_id,
  dn: r.dn,
  dnKey: r.dn_key,
});

export function directorySourceRepo(db: Kysely<Database>, bulk: BulkWriter | null = null): DirectorySourceRepo {
  const peopleQuery = (sourceId: string) =>
    db
      .selectFrom("directory_source_entries as e")
      .innerJoin("users as u", "u.id", "e.object_id")
      .select([
        "e.kind",
        "e.external_id",
        "e.object_id",
        "e.dn",
        "e.dn_key",
        "u.login",
        "u.email",
        "u.first_name",
        "u.last_name",
        "u.display_name",
        "u.status",
      ])
      .where("e.source_id", "=", sourceId)
      .where("e.kind", "=", "person");
  const groupsQuery = (sourceId: string) =>
    db
      .selectFrom("directory_source_entries as e")
      .innerJoin("groups as g", "g.id", "e.object_id")
      .select(["e.kind", "e.external_id", "e.object_id", "e.dn", "e.dn_key", "g.name", "g.description"])
      .where("e.source_id", "=", sourceId)
      .where("e.kind", "=", "group");

  return {
    async insert(s) {
      const r = await db
        .insertInto("directory_sources")
        .values({
          id: s.id,
          name: s.name,
          type: s.type,
          settings: JSON.stringify(s.settings),
          bind_password_sealed: s.bindPasswordSealed,
          created_at: s.at,
          updated_at: s.at,
          version: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSource(r);
    },
    async get(id) {
      const r = await db.selectFrom("directory_sources").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toSource(r) : null;
    },
    async getByName(name) {
      const r = await db.selectFrom("directory_sources").selectAll().where("name", "=", name).executeTakeFirst();
      return r ? toSource(r) : null;
    },
    async list() {
      return (await db.selectFrom("directory_sources").selectAll().orderBy("name").execute()).map(toSource);
    },
    async update(id, settings, sealed, at) {
      const r = await db
        .updateTable("directory_sources")
        .set((eb) => ({
          settings: JSON.stringify(settings),
          ...(sealed !== null ? { bind_password_sealed: sealed } : {}),
          updated_at: at,
          version: eb("version", "+", 1),
        }))
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return r ? toSource(r) : null;
    },
    async delete(id) {
      await db.deleteFrom("directory_source_entries").where("source_id", "=", id).execute();
      const r = await db.deleteFrom("directory_sources").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async recordSync(id, o, cursor) {
      await db
        .updateTable("directory_sources")
        .set({
          last_sync_at: o.at,
          last_sync_kind: o.kind,
          last_sync_status: o.status,
          last_sync_error: o.error?.slice(0, 2000) ?? null,
          last_sync_counts: o.counts ? JSON.stringify(o.counts) : null,
          ...(cursor !== null ? { cursor } : {}),
          ...(o.kind === "full" && o.status === "succeeded" ? { last_full_sync_at: o.at } : {}),
        })
        .where("id", "=", id)
        .execute();
    },
    async claim(id, now, leaseUntil, due) {
      let q = db
        .updateTable("directory_sources")
        .set({ lease_until: leaseUntil })
        .where("id", "=", id)
        .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]));
      if (due) {
        const { syncedBefore, fullSyncedBefore } = due;
        q = q.where((eb) => eb.or([eb("last_sync_at", "is", null), eb("last_sync_at", "<", syncedBefore)]));
        if (fullSyncedBefore !== undefined)
          q = q.where((eb) =>
            eb.or([eb("last_full_sync_at", "is", null), eb("last_full_sync_at", "<", fullSyncedBefore)]),
          );
      }
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async release(id) {
      await db.updateTable("directory_sources").set({ lease_until: null }).where("id", "=", id).execute();
    },

    async linkedPeople(sourceId, externalIds) {
      const rows = [];
      if (externalIds === undefined) rows.push(...(await peopleQuery(sourceId).execute()));
      else
        for (const part of chunks(externalIds))
          rows.push(...(await peopleQuery(sourceId).where("e.external_id", "in", part).execute()));
      return rows.map((r) => ({
        ...entryOf(r),
        profile: {
          login: r.login,
          email: r.email,
          firstName: r.first_name,
          lastName: r.last_name,
          displayName: r.display_name,
        },
        status: r.status as UserStatus,
      }));
    },
    async countActivePeople(sourceId) {
      const r = await db
        .selectFrom("directory_source_entries as e")
        .innerJoin("users as u", "u.id", "e.object_id")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("e.source_id", "=", sourceId)
        .where("e.kind", "=", "person")
        .where("u.status", "=", "ACTIVE")
        .executeTakeFirst();
      return Number(r?.n ?? 0);
    },
    async linkedGroups(sourceId, externalIds) {
      const rows = [];
      if (externalIds === undefined) rows.push(...(await groupsQuery(sourceId).execute()));
      else
        for (const part of chunks(externalIds))
          rows.push(...(await groupsQuery(sourceId).where("e.external_id", "in", part).execute()));
      return rows.map((r) => ({ ...entryOf(r), name: r.name, description: r.description }));
    },
    async sourceOfPerson(userId) {
      const r = await db
        .selectFrom("directory_source_entries")
        .select(["source_id", "dn"])
        .where("object_id", "=", userId)
        .where("kind", "=", "person")
        .orderBy("source_id")
        .executeTakeFirst();
      return r ? { sourceId: r.source_id, dn: r.dn } : null;
    },
    async entriesByDn(sourceId, dnKeys) {
      const out: SourceEntry[] = [];
      for (const part of chunks(dnKeys)) {
        const rows = await db
          .selectFrom("directory_source_entries")
          .selectAll()
          .where("source_id", "=", sourceId)
          .where("dn_key", "in", part)
          .execute();
        out.push(...rows.map(entryOf));
      }
      return out;
    },
    async upsertEntries(sourceId, entries) {
      if (bulk) {
        bulk.insert(
          "directory_source_entries (source_id, kind, external_id, object_id, dn, dn_key)",
          "on conflict (source_id, kind, external_id) do update set object_id = excluded.object_id, dn = excluded.dn, dn_key = excluded.dn_key",
          6,
          entries,
          (e, out) => out.push(sourceId, e.kind, e.externalId, e.objectId, e.dn, e.dnKey),
        );
        return;
      }
      for (const part of chunks(entries, 500)) {
        await db
          .insertInto("directory_source_entries")
          .values(
            part.map((e) => ({
              source_id: sourceId,
              kind: e.kind,
              external_id: e.externalId,
              object_id: e.objectId,
              dn: e.dn,
              dn_key: e.dnKey,
            })),
          )
          .onConflict((oc) =>
            oc.columns(["source_id", "kind", "external_id"]).doUpdateSet((eb) => ({
              object_id: eb.ref("excluded.object_id"),
              dn: eb.ref("excluded.dn"),
              dn_key: eb.ref("excluded.dn_key"),
            })),
          )
          .execute();
      }
    },
    async deleteEntries(sourceId, kind, externalIds) {
      for (const part of chunks(externalIds)) {
        await db
          .deleteFrom("directory_source_entries")
          .where("source_id", "=", sourceId)
          .where("kind", "=", kind)
          .where("external_id", "in", part)
          .execute();
      }
    },
    async memberPairs(groupIds) {
      const out: { groupId: string; userId: string }[] = [];
      for (const part of chunks(groupIds)) {
        const rows = await db
          .selectFrom("group_members")
          .select(["group_id", "user_id"])
          .where("group_id", "in", part)
          .execute();
        for (const r of rows) out.push({ groupId: r.group_id, userId: r.user_id });
      }
      return out;
    },
    async removeMemberships(pairs, at) {
      const byGroup = new Map<string, string[]>();
      for (const p of pairs) {
        const list = byGroup.get(p.groupId) ?? [];
        list.push(p.userId);
        byGroup.set(p.groupId, list);
      }
      let n = 0;
      for (const [groupId, userIds] of byGroup) {
        for (const part of chunks(userIds)) {
          const r = await db
            .deleteFrom("group_members")
            .where("group_id", "=", groupId)
            .where("user_id", "in", part)
            .executeTakeFirst();
          n += Number(r.numDeletedRows);
        }
        await db.updateTable("groups").set({ members_updated_at: at }).where("id", "=", groupId).execute();
      }
      return n;
    },
  };
}
