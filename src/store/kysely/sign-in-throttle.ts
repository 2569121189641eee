import { type Kysely, sql } from "kysely";
import type { SignInThrottleRepo } from "../contract.js";
import type { Database } from "./schema.js";

export function signInThrottleRepo(db: Kysely<Database>): SignInThrottleRepo {
  return {
    async reserve(key, loginKey, now, expiredBefore) {
      // One statement in both dialects (INSERT … ON CONFLICT DO UPDATE … RETURNING): concurrent attempts each
      // get their own count, so no two of them can both read "under the limit".
      const expired = sql<boolean>`sign_in_throttle.window_start <= ${expiredBefore}`;
      const r = await db
        .insertInto("sign_in_throttle")
        .values({ key, login_key: loginKey, attempts: 1, window_start: now })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            attempts: sql<number>`case when ${expired} then 1 else sign_in_throttle.attempts + 1 end`,
            window_start: sql<string>`case when ${expired} then ${now} else sign_in_throttle.window_start end`,
          }),
        )
        .returning(["attempts", "window_start"])
        .executeTakeFirstOrThrow();
      return { attempts: Number(r.attempts), windowStart: r.window_start };
    },

    async reserveAll(entries, now, expiredBefore) {
      const counts = new Map<string, { attempts: number; windowStart: string }>();
      if (entries.length === 0) return counts;
      // The same upsert with several rows. Callers pass keys in one fixed order of kinds, so two attempts that
      // share keys lock them in the same order and cannot deadlock.
      const expired = sql<boolean>`sign_in_throttle.window_start <= ${expiredBefore}`;
      const rows = await db
        .insertInto("sign_in_throttle")
        .values(entries.map((e) => ({ key: e.key, login_key: e.loginKey, attempts: 1, window_start: now })))
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({
            attempts: sql<number>`case when ${expired} then 1 else sign_in_throttle.attempts + 1 end`,
            window_start: sql<string>`case when ${expired} then ${now} else sign_in_throttle.window_start end`,
          }),
        )
        .returning(["key", "attempts", "window_start"])
        .execute();
      for (const r of rows) counts.set(r.key, { attempts: Number(r.attempts), windowStart: r.window_start });
      return counts;
    },

    async release(key) {
      await db
        .updateTable("sign_in_throttle")
        .set({ attempts: sql<number>`case when attempts > 0 then attempts - 1 else 0 end` })
        .where("key", "=", key)
        .execute();
    },

    async clear(keys) {
      if (keys.length) await db.deleteFrom("sign_in_throttle").where("key", "in", keys).execute();
    },

    async clearLogin(loginKey) {
      const r = await db.deleteFrom("sign_in_throttle").where("login_key", "=", loginKey).executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    async openCountsOfLogin(loginKey, expiredBefore) {
      const rows = await db
        .selectFrom("sign_in_throttle")
        .select(["key", "attempts", "window_start"])
        .where("login_key", "=", loginKey)
        .where("window_start", ">", expiredBefore)
        .orderBy("key")
        .execute();
      return rows.map((r) => ({ key: r.key, attempts: Number(r.attempts), windowStart: r.window_start }));
    },
  };
}
