import type { Kysely, Selectable } from "kysely";
import type { AppUpgradeNotice, UpgradeNoticeDetails } from "../../core/apps/model.js";
import type { UpgradeNoticeRepo } from "../contract-apps.js";
import type { AppUpgradeNoticesTable, Database } from "./schema.js";

const toNotice = (r: Selectable<AppUpgradeNoticesTable>): AppUpgradeNotice => ({
  id: r.id,
  appId: r.app_id,
  kind: r.kind as AppUpgradeNotice["kind"],
  created: r.created_at,
  details: r.details === null ? null : (JSON.parse(r.details) as UpgradeNoticeDetails),
  acknowledged: r.acknowledged_at === null ? null : { at: r.acknowledged_at, by: r.acknowledged_by ?? "(unknown)" },
});

export function upgradeNoticeRepo(db: Kysely<Database>): UpgradeNoticeRepo {
  return {
    async listUncomputed() {
      const rows = await db
        .selectFrom("app_upgrade_notices")
        .selectAll()
        .where("details", "is", null)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toNotice);
    },
    async complete(id, details) {
      const r = await db
        .updateTable("app_upgrade_notices")
        .set({ details: JSON.stringify(details) })
        .where("id", "=", id)
        .where("details", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async listForApp(appId, { includeAcknowledged }) {
      let q = db.selectFrom("app_upgrade_notices").selectAll().where("app_id", "=", appId);
      if (!includeAcknowledged) q = q.where("acknowledged_at", "is", null);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(toNotice);
    },
    async get(id) {
      const r = await db.selectFrom("app_upgrade_notices").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toNotice(r) : null;
    },
    async acknowledge(id, by, at) {
      const r = await db
        .updateTable("app_upgrade_notices")
        .set({ acknowledged_at: at, acknowledged_by: by })
        .where("id", "=", id)
        .where("acknowledged_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}
