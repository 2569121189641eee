import type { Kysely } from "kysely";
import type { AccountRoleList, RefreshRun, RoleCatalogRepo } from "../contract-apps.js";
import type { Database } from "./schema.js";

export function roleCatalogRepo(db: Kysely<Database>): RoleCatalogRepo {
  return {
    async put(l) {
      const row = {
        app_id: l.appId,
        account_id: l.accountId,
        alias: l.alias,
        roles: JSON.stringify(l.roles),
        status: l.status,
        error: l.error,
        refreshed_at: l.refreshedAt,
      };
      await db
        .insertInto("aws_role_catalog")
        .values(row)
        .onConflict((oc) =>
          oc.columns(["app_id", "account_id"]).doUpdateSet({
            alias: row.alias,
            roles: row.roles,
            status: row.status,
            error: row.error,
            refreshed_at: row.refreshed_at,
          }),
        )
        .execute();
    },
    async listForApp(appId) {
      const rows = await db
        .selectFrom("aws_role_catalog")
        .selectAll()
        .where("app_id", "=", appId)
        .orderBy("account_id")
        .execute();
      return rows.map((r) => ({
        appId: r.app_id,
        accountId: r.account_id,
        alias: r.alias,
        roles: JSON.parse(r.roles) as AccountRoleList["roles"],
        status: r.status as AccountRoleList["status"],
        error: r.error,
        refreshedAt: r.refreshed_at,
      }));
    },
    async retainAccounts(appId, accountIds) {
      let q = db.deleteFrom("aws_role_catalog").where("app_id", "=", appId);
      if (accountIds.length) q = q.where("account_id", "not in", [...accountIds]);
      return Number((await q.executeTakeFirst()).numDeletedRows);
    },
    async claimRefresh(appId, now, leaseUntil, notBefore) {
      const inserted = await db
        .insertInto("aws_refresh_runs")
        .values({ app_id: appId, lease_until: leaseUntil, started_at: now, status: "running" })
        .onConflict((oc) => oc.column("app_id").doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
      let q = db
        .updateTable("aws_refresh_runs")
        .set({ lease_until: leaseUntil, started_at: now, finished_at: null, status: "running", error: null })
        .where("app_id", "=", appId)
        .where("lease_until", "<=", now);
      if (notBefore) q = q.where("started_at", "<", notBefore);
      return Number((await q.executeTakeFirst()).numUpdatedRows) > 0;
    },
    async finishRefresh(appId, at, status, error) {
      await db
        .updateTable("aws_refresh_runs")
        .set({ finished_at: at, lease_until: at, status, error })
        .where("app_id", "=", appId)
        .execute();
    },
    async lastRefresh(appId) {
      const r = await db.selectFrom("aws_refresh_runs").selectAll().where("app_id", "=", appId).executeTakeFirst();
      return r
        ? {
            appId: r.app_id,
            leaseUntil: r.lease_until,
            startedAt: r.started_at,
            finishedAt: r.finished_at,
            status: r.status as RefreshRun["status"],
            error: r.error,
          }
        : null;
    },
  };
}
