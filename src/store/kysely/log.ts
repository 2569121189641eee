import type { Kysely } from "kysely";
import type { LogRepo } from "../contract.js";
import { decodeCursor, encodeCursor, toLogEvent } from "./rows.js";
import type { Database } from "./schema.js";

/** The system log is read newest first; its cursor walks backwards through ids. */
export function logRepo(db: Kysely<Database>): LogRepo {
  return {
    async append(e) {
      await db
        .insertInto("system_log")
        .values({
          id: e.id,
          published: e.published,
          actor_type: e.actor.type,
          actor_id: e.actor.id,
          actor_display: e.actor.display,
          action: e.action,
          target_type: e.target?.type ?? null,
          target_id: e.target?.id ?? null,
          target_display: e.target?.display ?? null,
          outcome: e.outcome,
          summary: JSON.stringify(e.summary),
          request_id: e.requestId,
        })
        .execute();
    },
    async list(filter, page) {
      let q = db.selectFrom("system_log").selectAll();
      const before = decodeCursor(page.after);
      if (before) q = q.where("id", "<", before);
      if (filter.action) q = q.where("action", "=", filter.action);
      if (filter.targetId) q = q.where("target_id", "=", filter.targetId);
      if (filter.since) q = q.where("published", ">=", filter.since);
      const rows = await q
        .orderBy("id", "desc")
        .limit(page.limit + 1)
        .execute();
      const more = rows.length > page.limit;
      const kept = more ? rows.slice(0, page.limit) : rows;
      const last = kept[kept.length - 1];
      return { items: kept.map(toLogEvent), nextCursor: more && last ? encodeCursor(last.id) : null };
    },
  };
}
