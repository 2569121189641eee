import { randomBytes } from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { safeEqual } from "../../core/crypto/tokens.js";
import type { User } from "../../core/directory/model.js";
import { DomainError } from "../../core/errors.js";
import type { Runtime } from "../../runtime.js";
import { cspFor } from "../portal/html.js";
import { PORTAL_CSRF_FIELD } from "../portal/pages.js";
import { PORTAL_COOKIE } from "../portal/routes.js";
import { approvePage, cliSessionsPage, decidedPage, enterCodePage } from "./pages.js";

type Form = Record<string, string | undefined>;

/**
 * The person's side of command-line sign-in, in the portal: the verification URI of the device grant
 * (RFC 8628 §3.3), where a person signed in as usual (password, TOTP) approves or denies a program's sign-in,
 * and the list of their command-line sign-ins, each of which they can end (a lost laptop cannot run logout).
 * Form posts carry the portal session's CSRF token.
 */
export async function devicePortalRoutes(app: FastifyInstance, opts: { runtime: Runtime }) {
  const { runtime } = opts;
  // The OpenAPI document describes the admin API; this end-user side is in docs/cli-credentials.md.
  app.addHook("onRoute", (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formbody, { bodyLimit: 16 * 1024 });

  async function signedIn(request: FastifyRequest): Promise<{ user: User; csrf: string } | null> {
    const sid = request.cookies[PORTAL_COOKIE];
    const found = sid ? await runtime.signIn.session(sid) : null;
    return found?.session.kind === "portal" ? { user: found.user, csrf: found.session.csrfToken } : null;
  }

  const send = (reply: FastifyReply, status: number, render: (nonce: string) => string) => {
    const nonce = randomBytes(16).toString("base64");
    return reply
      .code(status)
      .type("text/html; charset=utf-8")
      .header("content-security-policy", cspFor(nonce))
      .send(render(nonce));
  };

  app.get("/device", async (request, reply) => {
    const code = ((request.query as Form).user_code ?? "").slice(0, 40);
    const me = await signedIn(request);
    if (!me) {
      const next = code ? `/device?user_code=${encodeURIComponent(code)}` : "/device";
      return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (!code) return send(reply, 200, (nonce) => enterCodePage({ nonce }));
    const pending = await runtime.deviceAuth.pendingByUserCode(code);
    if (!pending) {
      const error = "This code is unknown or has expired. Check it, or start again with `rolebridge aws login`.";
      return send(reply, 404, (nonce) => enterCodePage({ nonce, error, code }));
    }
    return send(reply, 200, (nonce) =>
      approvePage({ nonce, csrf: me.csrf, userCode: pending.userCode, login: me.user.profile.login }),
    );
  });

  app.post("/device", async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const me = await signedIn(request);
    if (!me) return reply.redirect("/login?next=%2Fdevice", 303);
    if (!form[PORTAL_CSRF_FIELD] || !safeEqual(me.csrf, form[PORTAL_CSRF_FIELD])) {
      return send(reply, 403, (nonce) => enterCodePage({ nonce, error: "This form expired. Please try again." }));
    }
    if (form.decision !== "approve" && form.decision !== "deny") {
      return send(reply, 400, (nonce) => enterCodePage({ nonce, error: "Choose Approve or Deny." }));
    }
    try {
      await runtime.deviceAuth.decide(me.user, form.user_code ?? "", form.decision === "approve", request.id);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return send(reply, err.code === "not_found" ? 404 : 409, (nonce) => enterCodePage({ nonce, error: err.message }));
    }
    return send(reply, 200, (nonce) => decidedPage({ nonce, approved: form.decision === "approve" }));
  });

  app.get("/cli-sessions", async (request, reply) => {
    const me = await signedIn(request);
    if (!me) return reply.redirect("/login?next=%2Fcli-sessions", 303);
    const sessions = await runtime.deviceAuth.listForUser(me.user.id);
    const now = runtime.clock.now().getTime();
    const live = sessions.filter((s) => !s.revokedAt && Date.parse(s.sessionExpiresAt) > now);
    return send(reply, 200, (nonce) => cliSessionsPage({ nonce, csrf: me.csrf, sessions: live }));
  });

  app.post("/cli-sessions", async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const me = await signedIn(request);
    if (!me) return reply.redirect("/login?next=%2Fcli-sessions", 303);
    if (!form[PORTAL_CSRF_FIELD] || !safeEqual(me.csrf, form[PORTAL_CSRF_FIELD])) {
      return reply.redirect("/cli-sessions", 303);
    }
    const actor = { type: "user" as const, id: me.user.id, display: me.user.profile.login, requestId: request.id };
    try {
      await runtime.deviceAuth.revokeForUser(actor, me.user.id, form.session || undefined);
    } catch (err) {
      // Already ended, or not this person's: the list shows what is left either way.
      if (!(err instanceof DomainError)) throw err;
    }
    return reply.redirect("/cli-sessions", 303);
  });
}
