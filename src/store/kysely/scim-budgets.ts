import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Store } from "../contract.js";
import type { ScimBudgetRepo } from "../contract-budgets.js";
import type { Database } from "./schema.js";

/** A number parameter typed for PostgreSQL (an untyped parameter inside CASE would be read as text). */
const num = (n: number) => sql<number>`cast(${n} as double precision)`;
/** min/max written as CASE: SQLite's two-argument min() is PostgreSQL's least(), and the SQL stays one text. */
const smaller = (a: RawBuilder<number>, b: RawBuilder<number>) =>
  sql<number>`(case when ${a} < ${b} then ${a} else ${b} end)`;
const larger = (a: RawBuilder<number>, b: RawBuilder<number>) =>
  sql<number>`(case when ${a} > ${b} then ${a} else ${b} end)`;

/**
 * On PostgreSQL a budget's write commits without waiting for the WAL flush (`synchronous_commit` off for that
 * statement's transaction alone): a take then costs one round trip instead of a disk flush (measured: ~8 ms →
 * ~1 ms, bench/budgets). What a database crash can lose is the last fraction of a second of takes, so the
 * budget may grant that much again: a throttle the target enforces anyway, against a flush on every request.
 * Inside a caller's transaction the setting would cover the caller's writes too, so it is left alone there.
 */
const asyncCommit = (dialect: Store["dialect"], inTransaction: boolean) =>
  dialect === "postgres" && !inTransaction
    ? sql<boolean>`set_config('synchronous_commit', 'off', true) is not null`
    : sql<boolean>`1 = 1`;

export function scimBudgetRepo(
  db: Kysely<Database>,
  dialect: Store["dialect"],
  inTransaction: boolean,
): ScimBudgetRepo {
  const unflushed = asyncCommit(dialect, inTransaction);
  return {
    async take(appId, kind, cost, limit, nowMs) {
      const now = num(nowMs);
      // SET expressions read the row as it was before this statement, and the row is locked while it runs: the
      // refill, the check and the spend are one step however many nodes take at once.
      const elapsed = larger(sql<number>`(${now} - updated_ms)`, num(0));
      const available = smaller(
        sql<number>`(tokens + ${elapsed} * ${num(limit.ratePerSecond / 1000)})`,
        num(limit.burst),
      );
      const grant = sql<boolean>`(paused_until_ms <= ${now} and ${available} >= ${num(Math.min(cost, limit.burst))})`;
      const update = () =>
        db
          .updateTable("scim_budgets")
          .set({
            tokens: sql<number>`case when ${grant} then ${available} - ${num(cost)} else ${available} end`,
            updated_ms: larger(sql<number>`updated_ms`, now),
            granted: sql<number>`case when ${grant} then 1 else 0 end`,
          })
          .where("app_id", "=", appId)
          .where("class", "=", kind)
          .where(unflushed)
          .returning(["tokens", "paused_until_ms", "granted"])
          .executeTakeFirst();
      let row = await update();
      if (!row) {
        // A new bucket starts full; a node creating it at the same moment as another simply finds it there.
        await db
          .insertInto("scim_budgets")
          .values({ app_id: appId, class: kind, tokens: limit.burst, updated_ms: nowMs })
          .onConflict((oc) => oc.columns(["app_id", "class"]).doNothing())
          .execute();
        row = await update();
      }
      if (!row) throw new Error(`budget ${kind} of app ${appId} could not be created`);
      return {
        granted: Number(row.granted) === 1,
        tokens: Number(row.tokens),
        pausedUntilMs: Number(row.paused_until_ms),
      };
    },

    async pause(appId, kind, untilMs) {
      const until = num(untilMs);
      await db
        .updateTable("scim_budgets")
        .set({
          paused_until_ms: larger(sql<number>`paused_until_ms`, until),
          tokens: smaller(sql<number>`tokens`, num(1)),
          // Refilling starts when the pause ends: the target refused everything until then.
          updated_ms: larger(sql<number>`updated_ms`, until),
        })
        .where("app_id", "=", appId)
        .where("class", "=", kind)
        .where(unflushed)
        .execute();
    },

    async get(appId, kind) {
      const r = await db
        .selectFrom("scim_budgets")
        .select(["tokens", "updated_ms", "paused_until_ms"])
        .where("app_id", "=", appId)
        .where("class", "=", kind)
        .executeTakeFirst();
      return r
        ? { tokens: Number(r.tokens), updatedMs: Number(r.updated_ms), pausedUntilMs: Number(r.paused_until_ms) }
        : null;
    },
  };
}
