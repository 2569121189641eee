import type { Kysely, Selectable } from "kysely";
import type { JournalStep, MigrationJournalRepo, MigrationRun, MigrationRunState } from "../contract-migrations.js";
import type { Database, MigrationRunsTable } from "./schema.js";

const toRun = (r: Selectable<MigrationRunsTable>): MigrationRun => ({
  id: r.id,
  fromAppId: r.from_app_id,
  fromSlug: r.from_slug,
  toSlug: r.to_slug,
  state: r.state as MigrationRunState,
  plan: r.plan,
  created: r.created_at,
  lastUpdated: r.updated_at,
});

export function migrationJournalRepo(db: Kysely<Database>): MigrationJournalRepo {
  return {
    async createRun(run) {
      const row = {
        id: run.id,
        from_app_id: run.fromAppId,
        from_slug: run.fromSlug,
        to_slug: run.toSlug,
        state: run.state,
        plan: run.plan,
        created_at: run.created,
        updated_at: run.created,
      };
      await db.insertInto("migration_runs").values(row).execute();
      return toRun(row);
    },
    async latestRun(fromAppId, toSlug) {
      const r = await db
        .selectFrom("migration_runs")
        .selectAll()
        .where("from_app_id", "=", fromAppId)
        .where("to_slug", "=", toSlug)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return r ? toRun(r) : null;
    },
    async setRunState(id, state, at) {
      await db.updateTable("migration_runs").set({ state, updated_at: at }).where("id", "=", id).execute();
    },
    async steps(runId) {
      const rows = await db
        .selectFrom("migration_steps")
        .selectAll()
        .where("run_id", "=", runId)
        .orderBy("seq")
        .execute();
      return rows.map(
        (r): JournalStep => ({
          runId: r.run_id,
          key: r.key,
          seq: Number(r.seq),
          kind: r.kind,
          status: r.status as JournalStep["status"],
          result: JSON.parse(r.result) as Record<string, unknown>,
          doneAt: r.done_at,
          undoneAt: r.undone_at,
        }),
      );
    },
    async recordDone(s) {
      const values = {
        run_id: s.runId,
        key: s.key,
        seq: s.seq,
        kind: s.kind,
        status: "done",
        result: JSON.stringify(s.result),
        done_at: s.at,
        undone_at: null,
      };
      await db
        .insertInto("migration_steps")
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(["run_id", "key"])
            .doUpdateSet({ status: "done", result: values.result, done_at: s.at, undone_at: null }),
        )
        .execute();
    },
    async recordUndone(runId, key, at) {
      await db
        .updateTable("migration_steps")
        .set({ status: "undone", undone_at: at })
        .where("run_id", "=", runId)
        .where("key", "=", key)
        .execute();
    },
  };
}
