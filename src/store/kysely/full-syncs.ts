import type { Kysely } from "kysely";
import type { FullSyncRepo } from "../contract-outbox.js";
import type { Database } from "./schema.js";

export function fullSyncRepo(db: Kysely<Database>): FullSyncRepo {
  return {
    async claim(appId, now, leaseUntil, notBefore) {
      const inserted = await db
        .insertInto("provisioning_full_syncs")
        .values({ app_id: appId, lease_until: leaseUntil, started_at: now, finished_at: null, error: null })
        .onConflict((oc) => oc.column("app_id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
      const updated = await db
        .updateTable("provisioning_full_syncs")
        .set({ lease_until: leaseUntil, started_at: now, finished_at: null, error: null })
        .where("app_id", "=", appId)
        .where("lease_until", "<=", now)
        .where((eb) => eb(eb.fn.coalesce("finished_at", "started_at"), "<", notBefore))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) > 0;
    },
    async finish(appId, startedAt, at, error) {
      await db
        .insertInto("provisioning_full_syncs")
        .values({
          app_id: appId,
          lease_until: at,
          started_at: startedAt,
          finished_at: at,
          error: error?.slice(0, 2000) ?? null,
        })
        .onConflict((oc) =>
          oc
            .column("app_id")
            .doUpdateSet((eb) => ({
              lease_until: eb.ref("excluded.lease_until"),
              started_at: eb.ref("excluded.started_at"),
              finished_at: eb.ref("excluded.finished_at"),
              error: eb.ref("excluded.error"),
            }))
            .where((eb) => eb("provisioning_full_syncs.started_at", "<=", eb.ref("excluded.started_at"))),
        )
        .execute();
    },
    async get(appId) {
      const r = await db
        .selectFrom("provisioning_full_syncs")
        .selectAll()
        .where("app_id", "=", appId)
        .executeTakeFirst();
      return r
        ? {
            appId: r.app_id,
            startedAt: r.started_at,
            finishedAt: r.finished_at,
            leaseUntil: r.lease_until,
            error: r.error,
          }
        : null;
    },
  };
}
