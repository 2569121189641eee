import type { Kysely } from "kysely";
import type { AdminRepo, SessionRepo, TokenRepo } from "../contract.js";
import { guardUnique } from "./errors.js";
import { toSession, toToken, toUser } from "./rows.js";
import type { Database } from "./schema.js";

/** API tokens, sessions and admin roles: who may call the admin API and how. Only hashes are stored. */
export function tokenRepo(db: Kysely<Database>): TokenRepo {
  return {
    async insert(t) {
      const r = await guardUnique(
        db
          .insertInto("api_tokens")
          .values({
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            token_hash: t.tokenHash,
            created_by: t.createdBy,
            created_at: t.at,
            expires_at: t.expiresAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toToken(r);
    },
    async list() {
      return (await db.selectFrom("api_tokens").selectAll().orderBy("id").execute()).map(toToken);
    },
    async get(id) {
      const r = await db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async findActiveByHash(tokenHash, now) {
      const r = await db
        .selectFrom("api_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .where("revoked_at", "is", null)
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
        .executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async touch(id, at) {
      await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
    },
    async revoke(id, at) {
      const r = await db
        .updateTable("api_tokens")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export function sessionRepo(db: Kysely<Database>): SessionRepo {
  return {
    async insert(s) {
      await db
        .insertInto("sessions")
        .values({
          id_hash: s.idHash,
          user_id: s.userId,
          kind: s.kind,
          csrf_token: s.csrfToken,
          created_at: s.at,
          expires_at: s.expiresAt,
          last_seen_at: s.at,
        })
        .execute();
    },
    async findActive(idHash, now) {
      const r = await db
        .selectFrom("sessions")
        .selectAll()
        .where("id_hash", "=", idHash)
        .where("expires_at", ">", now)
        .executeTakeFirst();
      return r ? toSession(r) : null;
    },
    async findActiveWithUser(idHash, now) {
      // The user's columns as they are, the session's renamed: both tables have names a join would clash on.
      const r = await db
        .selectFrom("sessions as s")
        .innerJoin("users as u", "u.id", "s.user_id")
        .selectAll("u")
        .select([
          "s.id_hash as s_id_hash",
          "s.user_id as s_user_id",
          "s.kind as s_kind",
          "s.csrf_token as s_csrf_token",
          "s.created_at as s_created_at",
          "s.expires_at as s_expires_at",
          "s.last_seen_at as s_last_seen_at",
        ])
        .where("s.id_hash", "=", idHash)
        .where("s.expires_at", ">", now)
        .executeTakeFirst();
      if (!r) return null;
      const session = toSession({
        id_hash: r.s_id_hash,
        user_id: r.s_user_id,
        kind: r.s_kind,
        csrf_token: r.s_csrf_token,
        created_at: r.s_created_at,
        expires_at: r.s_expires_at,
        last_seen_at: r.s_last_seen_at,
      });
      return { session, user: toUser(r) };
    },
    async touch(idHash, at) {
      await db.updateTable("sessions").set({ last_seen_at: at }).where("id_hash", "=", idHash).execute();
    },
    async delete(idHash) {
      await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
    },
    async deleteForUser(userId) {
      const r = await db.deleteFrom("sessions").where("user_id", "=", userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async deleteExpired(now) {
      const r = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export function adminRepo(db: Kysely<Database>): AdminRepo {
  return {
    async grant(userId, role, at) {
      await db
        .insertInto("admin_roles")
        .values({ user_id: userId, role, created_at: at })
        .onConflict((oc) => oc.columns(["user_id", "role"]).doNothing())
        .execute();
    },
    async revoke(userId, role) {
      const r = await db
        .deleteFrom("admin_roles")
        .where("user_id", "=", userId)
        .where("role", "=", role)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async rolesOf(userId) {
      const rows = await db
        .selectFrom("admin_roles")
        .select("role")
        .where("user_id", "=", userId)
        .orderBy("role")
        .execute();
      return rows.map((r) => r.role);
    },
  };
}
