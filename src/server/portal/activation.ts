import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { LinkView } from "../../core/access/activation.js";
import { newSecret, safeEqual } from "../../core/crypto/tokens.js";
import { DomainError } from "../../core/errors.js";
import type { Runtime } from "../../runtime.js";
import { cspFor, html, page } from "./html.js";
import { PORTAL_CSRF_FIELD } from "./pages.js";

const CSRF_COOKIE = "rb_activate_csrf";

function activationPage(opts: { nonce: string; csrf: string; token: string; view: LinkView; error?: string }) {
  const { view } = opts;
  const title = view.purpose === "reset" ? "Reset your password" : "Set your password";
  const totp = view.enrolTotp;
  return page(
    title,
    html`<div class="card"><h1>${title}</h1>
<p class="muted">For ${view.user.profile.login}</p>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ""}
<form method="post" action="/activate/${opts.token}">
<input type="hidden" name="${PORTAL_CSRF_FIELD}" value="${opts.csrf}">
<label for="password">New password</label><input type="password" id="password" name="password" autocomplete="new-password" minlength="8" required autofocus>
<label for="confirm">Repeat the password</label><input type="password" id="confirm" name="confirm" autocomplete="new-password" minlength="8" required>
${
  totp
    ? html`<input type="hidden" name="totp" value="${totp.sealed}">
<p>Your organisation requires an authenticator app. Add this key to it (or open the link on your phone), then enter the code it shows.</p>
<p><code>${totp.secret}</code></p><p class="muted"><a href="${totp.uri}">${totp.uri}</a></p>
<label for="code">Verification code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>`
    : ""
}
<button type="submit">${title}</button></form></div>`,
    { nonce: opts.nonce },
  );
}

function donePage(nonce: string, login: string) {
  return page(
    "Password set",
    html`<div class="card"><h1>You are all set</h1><p>The password of ${login} is set.</p><p><a href="/login">Sign in</a></p></div>`,
    { nonce },
  );
}

function refusedPage(nonce: string, message: string) {
  return page(
    "Link not valid",
    html`<div class="card"><h1>This link cannot be used</h1><p class="error" role="alert">${message}</p></div>`,
    { nonce },
  );
}

/**
 * GET/POST /activate/:token: the page an activation or reset link opens. Same protections as the sign-in page
 * (strict CSP with a nonce, a CSRF token bound to a cookie); the token is in the path, so the page is never
 * cached and sends no Referer onwards.
 */
export function registerActivationPages(app: FastifyInstance, runtime: Runtime, secure: boolean): void {
  const cookieOpts = { httpOnly: true, secure, sameSite: "strict" as const, path: "/activate", maxAge: 3600 };

  const send = (reply: FastifyReply, status: number, body: string, nonce: string) =>
    reply
      .code(status)
      .type("text/html; charset=utf-8")
      .header("content-security-policy", cspFor(nonce))
      .header("cache-control", "no-store")
      .header("referrer-policy", "no-referrer")
      .send(body);

  const form = (reply: FastifyReply, status: number, token: string, view: LinkView, error?: string) => {
    const nonce = randomBytes(16).toString("base64");
    const csrf = newSecret();
    reply.setCookie(CSRF_COOKIE, csrf, cookieOpts);
    return send(reply, status, activationPage({ nonce, csrf, token, view, ...(error ? { error } : {}) }), nonce);
  };

  const refused = (reply: FastifyReply, err: unknown) => {
    if (!(err instanceof DomainError)) throw err;
    const nonce = randomBytes(16).toString("base64");
    return send(reply, err.status, refusedPage(nonce, capitalised(err.message)), nonce);
  };

  // The token is a credential carried in the path: request logs show the route, never the token.
  const masked = {
    logSerializers: {
      req: (req: FastifyRequest) => ({ method: req.method, url: "/activate/[redacted]", remoteAddress: req.ip }),
    },
  };

  app.get("/activate/:token", masked, async (request, reply) => {
    const { token } = request.params as { token: string };
    try {
      return form(reply, 200, token, await runtime.activation.open(token));
    } catch (err) {
      return refused(reply, err);
    }
  });

  app.post("/activate/:token", masked, async (request, reply) => {
    const { token } = request.params as { token: string };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof body[name] === "string" ? (body[name] as string) : undefined);
    let view: LinkView;
    try {
      view = await runtime.activation.open(token, field("totp"));
    } catch (err) {
      return refused(reply, err);
    }
    const expected = request.cookies[CSRF_COOKIE];
    const sent = field(PORTAL_CSRF_FIELD);
    if (!expected || !sent || !safeEqual(expected, sent))
      return form(reply, 403, token, view, "This form expired. Please try again.");
    const password = field("password") ?? "";
    if (password !== field("confirm")) return form(reply, 400, token, view, "The two passwords are not the same.");
    const sealed = field("totp");
    const code = field("code");
    try {
      const user = await runtime.activation.complete(token, {
        password,
        totp: sealed !== undefined && code !== undefined ? { sealed, code } : undefined,
      });
      reply.clearCookie(CSRF_COOKIE, cookieOpts);
      const nonce = randomBytes(16).toString("base64");
      return send(reply, 200, donePage(nonce, user.profile.login), nonce);
    } catch (err) {
      if (err instanceof DomainError && err.code === "validation_failed") {
        const detail = (err.details.errors as Array<{ path: string; message: string }> | undefined)?.[0];
        const message = detail?.path === "/password" ? `${err.message}: it ${detail.message}` : err.message;
        return form(reply, 400, token, view, `${capitalised(message)}.`);
      }
      return refused(reply, err);
    }
  });
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
