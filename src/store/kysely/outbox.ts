import { type Kysely, type Selectable, sql } from "kysely";
import type { Store } from "../contract.js";
import type { OutboxItem, OutboxRepo } from "../contract-outbox.js";
import type { Database, ProvisioningOutboxTable } from "./schema.js";

const toItem = (r: Selectable<ProvisioningOutboxTable>): OutboxItem => ({
  id: r.id,
  kind: r.kind as OutboxItem["kind"],
  objectId: r.object_id,
  appId: r.app_id,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  created: r.created_at,
  attempts: Number(r.attempts),
  lastError: r.last_error,
});

export function outboxRepo(db: Kysely<Database>, dialect: Store["dialect"]): OutboxRepo {
  return {
    async enqueue(e) {
      await db
        .insertInto("provisioning_outbox")
        .values({
          id: e.id,
          kind: e.kind,
          object_id: e.objectId,
          app_id: e.appId ?? null,
          payload: JSON.stringify(e.payload ?? {}),
          created_at: e.at,
          next_attempt_at: e.at,
          attempts: 0,
        })
        .execute();
    },

    async claim(worker, now, leaseUntil, limit) {
      let due = db
        .selectFrom("provisioning_outbox")
        .select("id")
        .where("next_attempt_at", "<=", now)
        .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
        .orderBy("id")
        .limit(limit);
      if (dialect === "postgres") due = due.forUpdate().skipLocked();
      const rows = await db
        .updateTable("provisioning_outbox")
        .set({ claimed_by: worker, claimed_until: leaseUntil, attempts: sql<number>`attempts + 1` })
        .where("id", "in", due)
        .returningAll()
        .execute();
      return rows.map(toItem).sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async complete(worker, ids) {
      if (ids.length === 0) return 0;
      const r = await db
        .deleteFrom("provisioning_outbox")
        .where("id", "in", [...ids])
        .where("claimed_by", "=", worker)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async release(worker, id, error, retryAt) {
      await db
        .updateTable("provisioning_outbox")
        .set({ claimed_by: null, claimed_until: null, last_error: error.slice(0, 2000), next_attempt_at: retryAt })
        .where("id", "=", id)
        .where("claimed_by", "=", worker)
        .execute();
    },

    async depth() {
      const r = await db
        .selectFrom("provisioning_outbox")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
