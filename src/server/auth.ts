import type { FastifyReply, FastifyRequest } from "fastify";
import { publicUrlOf } from "../config/load.js";
import { ADMIN_ROLE } from "../core/access/sign-in.js";
import type { Actor } from "../core/audit.js";
import { safeEqual } from "../core/crypto/tokens.js";
import type { Session, User } from "../core/directory/model.js";
import type { Runtime } from "../runtime.js";
import { HttpError, unauthorized } from "./errors.js";

export const SESSION_COOKIE = "rb_admin_session";
export const CSRF_HEADER = "x-csrf-token";

/** How the caller proved who they are; routes read the actor from here. */
export type Auth =
  | { kind: "token"; actor: Actor }
  | { kind: "session"; actor: Actor; sessionId: string; session: Session; user: User };

declare module "fastify" {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without authentication (sign-in, docs, ops). */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function actorOf(request: FastifyRequest): Actor {
  if (!request.auth) throw unauthorized();
  return request.auth.actor;
}

export function cookieOptions(runtime: Runtime, expires?: Date) {
  return {
    httpOnly: true,
    sameSite: "strict" as const,
    secure: publicUrlOf(runtime.config).startsWith("https://"),
    path: "/",
    ...(expires ? { expires } : {}),
  };
}

function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw unauthorized("the Authorization header must be `Bearer <api token>`");
  return match[1]!;
}

/**
 * Authenticates every admin API request before its body is even read, so an anonymous caller cannot
 * make us parse or validate anything. A bearer token wins over a cookie. Cookie-authenticated unsafe
 * requests must echo the session's CSRF token in a header: a cross-site page can make the browser send
 * the cookie but cannot read the token. Bearer requests need no CSRF token (browsers never add them).
 */
export function authenticate(runtime: Runtime) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.auth = null;
    if (request.routeOptions.config.public) return;
    const bearer = bearerOf(request);
    if (bearer !== null) {
      const token = await runtime.tokens.authenticate(bearer);
      if (!token) throw unauthorized("the API token is invalid, expired or revoked");
      request.auth = {
        kind: "token",
        actor: { type: "token", id: token.id, display: `token:${token.name}`, requestId: request.id },
      };
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (!sessionId) throw unauthorized();
    const found = await runtime.signIn.session(sessionId);
    if (found?.session.kind !== "admin") {
      reply.clearCookie(SESSION_COOKIE, cookieOptions(runtime));
      throw unauthorized("the session has expired or was ended; sign in again");
    }
    // The role is checked on every request, so revoking it takes effect at once.
    if (!(await runtime.store.admins.rolesOf(found.user.id)).includes(ADMIN_ROLE)) {
      throw new HttpError("forbidden", "this account is no longer an administrator");
    }
    if (!SAFE_METHODS.has(request.method)) {
      const presented = request.headers[CSRF_HEADER];
      if (typeof presented !== "string" || !safeEqual(presented, found.session.csrfToken)) {
        throw new HttpError("forbidden", `missing or wrong ${CSRF_HEADER} header`, { header: CSRF_HEADER });
      }
    }
    request.auth = {
      kind: "session",
      actor: { type: "user", id: found.user.id, display: found.user.profile.login, requestId: request.id },
      sessionId,
      session: found.session,
      user: found.user,
    };
  };
}
