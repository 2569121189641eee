import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { cookieOptions, SESSION_COOKIE } from "../auth.js";
import { HttpError } from "../errors.js";
import { SessionOut, SignInBody } from "../schemas/access.js";
import { errorResponses } from "../schemas/common.js";

const tags = ["sessions"];

const noSession = () =>
  new HttpError("not_found", "this request is not made with an admin session (it used an API token)");

/**
 * Admin console sign-in. The session id travels only in an HttpOnly, SameSite=Strict cookie; the CSRF
 * token comes back in the body for the console to echo in x-csrf-token. Sign-in accepts only JSON, so a
 * cross-site HTML form cannot post to it (login CSRF) — that would be a 415.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.post(
    "/sessions",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "Sign in as an administrator; sets the rb_admin_session cookie",
        security: [],
        body: SignInBody,
        response: { 200: SessionOut, ...errorResponses(400, 413) },
      },
    },
    async (request, reply) => {
      const { login, password, totpCode } = request.body;
      const { user, sessionId, session } = await runtime.signIn.signIn(
        "admin",
        login,
        password,
        request.id,
        totpCode,
        request.ip,
      );
      // A session the browser already held is ended, not reused: each sign-in gets a fresh id (fixation).
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await runtime.signIn.signOut(previous);
      reply.setCookie(SESSION_COOKIE, sessionId, cookieOptions(runtime, new Date(session.expiresAt)));
      return { user, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
    },
  );

  app.get(
    "/sessions/me",
    {
      schema: {
        tags,
        summary: "The current admin session",
        response: { 200: SessionOut, ...errorResponses(404) },
      },
    },
    async (request) => {
      const auth = request.auth;
      if (auth?.kind !== "session") throw noSession();
      return { user: auth.user, csrfToken: auth.session.csrfToken, expiresAt: auth.session.expiresAt };
    },
  );

  app.delete(
    "/sessions/me",
    {
      schema: {
        tags,
        summary: "Sign out: ends the session on the server and clears the cookie",
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const auth = request.auth;
      if (auth?.kind !== "session") throw noSession();
      await runtime.signIn.signOut(auth.sessionId);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(runtime));
      return reply.status(204).send(null);
    },
  );
};
