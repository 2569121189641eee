import type { Selectable } from "kysely";
import type { ApiToken, Group, LogEvent, Session, User, UserStatus } from "../../core/directory/model.js";
import { invalidCursor } from "../pages.js";
import type { ApiTokensTable, GroupsTable, SessionsTable, SystemLogTable, UsersTable } from "./schema.js";

export function toUser(r: Selectable<UsersTable>): User {
  return {
    id: r.id,
    profile: {
      login: r.login,
      email: r.email,
      firstName: r.first_name,
      lastName: r.last_name,
      displayName: r.display_name,
    },
    status: r.status as UserStatus,
    created: r.created_at,
    lastUpdated: r.updated_at,
    statusChanged: r.status_changed_at,
    passwordChanged: r.password_changed_at,
    lastLogin: r.last_login_at,
    version: Number(r.version),
  };
}

export function toGroup(r: Selectable<GroupsTable>): Group {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    source: r.source,
    externalId: r.external_id,
    created: r.created_at,
    lastUpdated: r.updated_at,
    lastMembershipUpdated: r.members_updated_at,
    version: Number(r.version),
  };
}

export function toToken(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdBy: r.created_by,
    created: r.created_at,
    lastUsed: r.last_used_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

export function toSession(r: Selectable<SessionsTable>): Session {
  return {
    id: r.id_hash,
    userId: r.user_id,
    kind: r.kind as Session["kind"],
    csrfToken: r.csrf_token,
    created: r.created_at,
    expiresAt: r.expires_at,
    lastSeen: r.last_seen_at,
  };
}

export function toLogEvent(r: Selectable<SystemLogTable>): LogEvent {
  return {
    id: r.id,
    published: r.published,
    actor: { type: r.actor_type as LogEvent["actor"]["type"], id: r.actor_id, display: r.actor_display },
    action: r.action,
    target: r.target_type === null ? null : { type: r.target_type, id: r.target_id, display: r.target_display ?? "" },
    outcome: r.outcome as LogEvent["outcome"],
    summary: JSON.parse(r.summary) as Record<string, unknown>,
    requestId: r.request_id,
  };
}

/** Keys that make names case-insensitive everywhere (JS lower-casing is locale-independent). */
export const keyOf = (s: string) => s.normalize("NFC").toLowerCase();

/** Cursor pagination over ids that sort by creation (ULIDs). The cursor is opaque to clients. */
export const encodeCursor = (id: string) => Buffer.from(id, "utf8").toString("base64url");
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9A-Za-z_-]{1,64}$/.test(id)) throw invalidCursor();
  return id;
}

/** Fetch limit+1 rows, return limit, and a cursor when there was one more. */
export function pageOf<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(last.id) : null };
}

/** LIKE pattern for a case-insensitive prefix match, with the wildcards in user input escaped. */
export const prefixPattern = (q: string) => `${keyOf(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
