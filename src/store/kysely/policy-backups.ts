import type { Kysely, Selectable } from "kysely";
import type { PolicyBackup, PolicyBackupRepo } from "../contract-policy.js";
import type { Database, PolicyBackupsTable } from "./schema.js";

const toBackup = (r: Selectable<PolicyBackupsTable>): PolicyBackup => ({
  id: r.id,
  appId: r.app_id,
  principalArn: r.principal_arn,
  target: JSON.parse(r.target) as PolicyBackup["target"],
  oldDocument: r.old_document,
  newDocument: r.new_document,
  oldVersionId: r.old_version_id,
  newVersionId: r.new_version_id,
  deletedVersion: r.deleted_version ? (JSON.parse(r.deleted_version) as PolicyBackup["deletedVersion"]) : null,
  status: r.status as PolicyBackup["status"],
  reason: r.reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function policyBackupRepo(db: Kysely<Database>): PolicyBackupRepo {
  return {
    async insert(b) {
      await db
        .insertInto("policy_backups")
        .values({
          id: b.id,
          app_id: b.appId,
          principal_arn: b.principalArn,
          target: JSON.stringify(b.target),
          old_document: b.oldDocument,
          new_document: b.newDocument,
          old_version_id: b.oldVersionId,
          new_version_id: b.newVersionId,
          deleted_version: b.deletedVersion ? JSON.stringify(b.deletedVersion) : null,
          status: b.status,
          reason: b.reason,
          created_at: b.createdAt,
          updated_at: b.updatedAt,
        })
        .execute();
    },
    async update(id, change, at) {
      await db
        .updateTable("policy_backups")
        .set({
          updated_at: at,
          ...(change.status !== undefined ? { status: change.status } : {}),
          ...(change.reason !== undefined ? { reason: change.reason } : {}),
          ...(change.newVersionId !== undefined ? { new_version_id: change.newVersionId } : {}),
          ...(change.deletedVersion !== undefined
            ? { deleted_version: change.deletedVersion ? JSON.stringify(change.deletedVersion) : null }
            : {}),
        })
        .where("id", "=", id)
        .execute();
    },
    async latest(appId, statuses) {
      if (!statuses.length) return null;
      const row = await db
        .selectFrom("policy_backups")
        .selectAll()
        .where("app_id", "=", appId)
        .where("status", "in", statuses)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row ? toBackup(row) : null;
    },
    async list(appId) {
      const rows = await db
        .selectFrom("policy_backups")
        .selectAll()
        .where("app_id", "=", appId)
        .orderBy("id", "desc")
        .execute();
      return rows.map(toBackup);
    },
  };
}
