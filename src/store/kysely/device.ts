import type { Kysely, Selectable } from "kysely";
import type {
  CliSession,
  CliSessionRepo,
  DeviceAuthorization,
  DeviceAuthorizationRepo,
  DeviceAuthorizationStatus,
} from "../contract-device.js";
import type { CliSessionsTable, Database, DeviceAuthorizationsTable } from "./schema.js";

const toDeviceAuthorization = (r: Selectable<DeviceAuthorizationsTable>): DeviceAuthorization => ({
  id: r.id,
  clientId: r.client_id,
  scope: r.scope,
  status: r.status as DeviceAuthorizationStatus,
  userId: r.user_id,
  intervalSeconds: Number(r.interval_seconds),
  lastPolledAt: r.last_polled_at,
  created: r.created_at,
  expiresAt: r.expires_at,
  decidedAt: r.decided_at,
});

const toCliSession = (r: Selectable<CliSessionsTable>): CliSession => ({
  id: r.id,
  userId: r.user_id,
  clientId: r.client_id,
  accessExpiresAt: r.access_expires_at,
  sessionExpiresAt: r.session_expires_at,
  created: r.created_at,
  lastUsed: r.last_used_at,
  revokedAt: r.revoked_at,
});

export function deviceAuthorizationRepo(db: Kysely<Database>): DeviceAuthorizationRepo {
  const by = async (column: "device_code_hash" | "user_code_hash", hash: string) => {
    const r = await db.selectFrom("device_authorizations").selectAll().where(column, "=", hash).executeTakeFirst();
    return r ? toDeviceAuthorization(r) : null;
  };
  return {
    async insert(d) {
      const r = await db
        .insertInto("device_authorizations")
        .values({
          id: d.id,
          device_code_hash: d.deviceCodeHash,
          user_code_hash: d.userCodeHash,
          client_id: d.clientId,
          scope: d.scope,
          status: "pending",
          user_id: null,
          interval_seconds: d.intervalSeconds,
          last_polled_at: null,
          created_at: d.at,
          expires_at: d.expiresAt,
          decided_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toDeviceAuthorization(r);
    },
    getByDeviceCodeHash: (hash) => by("device_code_hash", hash),
    getByUserCodeHash: (hash) => by("user_code_hash", hash),
    async recordPoll(id, at, intervalSeconds) {
      await db
        .updateTable("device_authorizations")
        .set({ last_polled_at: at, interval_seconds: intervalSeconds })
        .where("id", "=", id)
        .execute();
    },
    async decide(id, status, userId, at) {
      const r = await db
        .updateTable("device_authorizations")
        .set({ status, user_id: userId, decided_at: at })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async consume(id) {
      const r = await db
        .updateTable("device_authorizations")
        .set({ status: "consumed" })
        .where("id", "=", id)
        .where("status", "=", "approved")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async deleteExpired(before) {
      const r = await db.deleteFrom("device_authorizations").where("expires_at", "<=", before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export function cliSessionRepo(db: Kysely<Database>): CliSessionRepo {
  return {
    async insert(s) {
      const r = await db
        .insertInto("cli_sessions")
        .values({
          id: s.id,
          user_id: s.userId,
          client_id: s.clientId,
          access_token_hash: s.accessTokenHash,
          refresh_token_hash: s.refreshTokenHash,
          access_expires_at: s.accessExpiresAt,
          session_expires_at: s.sessionExpiresAt,
          created_at: s.at,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCliSession(r);
    },
    async get(id) {
      const r = await db.selectFrom("cli_sessions").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toCliSession(r) : null;
    },
    async findActiveByAccessHash(hash, now) {
      const r = await db
        .selectFrom("cli_sessions")
        .selectAll()
        .where("access_token_hash", "=", hash)
        .where("revoked_at", "is", null)
        .where("access_expires_at", ">", now)
        .where("session_expires_at", ">", now)
        .executeTakeFirst();
      return r ? toCliSession(r) : null;
    },
    async findByRefreshHash(hash) {
      const r = await db
        .selectFrom("cli_sessions")
        .selectAll()
        .where("refresh_token_hash", "=", hash)
        .executeTakeFirst();
      return r ? toCliSession(r) : null;
    },
    async rotate(id, presented, next) {
      const r = await db
        .updateTable("cli_sessions")
        .set({
          access_token_hash: next.accessTokenHash,
          refresh_token_hash: next.refreshTokenHash,
          access_expires_at: next.accessExpiresAt,
        })
        .where("id", "=", id)
        .where("refresh_token_hash", "=", presented)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async touch(id, at) {
      await db.updateTable("cli_sessions").set({ last_used_at: at }).where("id", "=", id).execute();
    },
    async listForUser(userId) {
      const rows = await db
        .selectFrom("cli_sessions")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("id")
        .execute();
      return rows.map(toCliSession);
    },
    async revoke(id, at) {
      const r = await db
        .updateTable("cli_sessions")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeAllForUser(userId, at) {
      const r = await db
        .updateTable("cli_sessions")
        .set({ revoked_at: at })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
