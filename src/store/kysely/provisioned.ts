import type { Kysely } from "kysely";
import type { ProvisionedObject, ProvisionedRepo } from "../contract-outbox.js";
import type { Database } from "./schema.js";

export function provisionedRepo(db: Kysely<Database>): ProvisionedRepo {
  return {
    async listForApp(appId, kind) {
      let q = db.selectFrom("provisioned_objects").selectAll().where("app_id", "=", appId);
      if (kind) q = q.where("kind", "=", kind);
      const rows = await q.orderBy("kind").orderBy("object_id").execute();
      return rows.map((r) => ({
        appId: r.app_id,
        kind: r.kind as ProvisionedObject["kind"],
        objectId: r.object_id,
        remoteId: r.remote_id,
        status: r.status as ProvisionedObject["status"],
        lastError: r.last_error,
        members: r.members === null ? null : (JSON.parse(r.members) as string[]),
        inDoubt: r.in_doubt === null ? null : (JSON.parse(r.in_doubt) as string[]),
        syncedAt: r.synced_at,
      }));
    },
    async remove(appId, kind, objectId) {
      const r = await db
        .deleteFrom("provisioned_objects")
        .where("app_id", "=", appId)
        .where("kind", "=", kind)
        .where("object_id", "=", objectId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async markInDoubt(appId, kind, objectId, members) {
      const row = await db
        .selectFrom("provisioned_objects")
        .select("in_doubt")
        .where("app_id", "=", appId)
        .where("kind", "=", kind)
        .where("object_id", "=", objectId)
        .executeTakeFirst();
      if (!row) return;
      const before = row.in_doubt === null ? [] : (JSON.parse(row.in_doubt) as string[]);
      const merged = [...new Set([...before, ...members])].sort();
      await db
        .updateTable("provisioned_objects")
        .set({ in_doubt: JSON.stringify(merged) })
        .where("app_id", "=", appId)
        .where("kind", "=", kind)
        .where("object_id", "=", objectId)
        .execute();
    },
    async upsert(o) {
      const row = {
        app_id: o.appId,
        kind: o.kind,
        object_id: o.objectId,
        remote_id: o.remoteId,
        status: o.status,
        last_error: o.lastError,
        members: o.members === null ? null : JSON.stringify(o.members),
        in_doubt: o.inDoubt === null ? null : JSON.stringify(o.inDoubt),
        synced_at: o.syncedAt,
      };
      await db
        .insertInto("provisioned_objects")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["app_id", "kind", "object_id"]).doUpdateSet({
            remote_id: row.remote_id,
            status: row.status,
            last_error: row.last_error,
            members: row.members,
            in_doubt: row.in_doubt,
            synced_at: row.synced_at,
          }),
        )
        .execute();
    },
  };
}
