import { randomBytes } from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { buildAwsSignIn } from "../../core/apps/aws-sign-in.js";
import { buildIdentityCenterSignIn, identityCenterSignsIn } from "../../core/apps/ic-sign-in.js";
import type { App } from "../../core/apps/model.js";
import { assertRequestForApp } from "../../core/apps/sp-initiated.js";
import { appTarget, logEvent } from "../../core/audit.js";
import { newSecret, safeEqual } from "../../core/crypto/tokens.js";
import type { User } from "../../core/directory/model.js";
import { DomainError } from "../../core/errors.js";
import { type AuthnRequest, decodeAuthnRequest, encodeForRedirect } from "../../core/saml/authn-request.js";
import type { Runtime } from "../../runtime.js";
import { registerActivationPages } from "./activation.js";
import { cspFor } from "./html.js";
import { safeNext } from "./next.js";
import { autoPostPage, dashboardPage, loginPage, messagePage, PORTAL_CSRF_FIELD } from "./pages.js";

export const PORTAL_COOKIE = "rb_session";
const LOGIN_CSRF_COOKIE = "rb_login_csrf";

type Form = Record<string, string | undefined>;

/**
 * A form or query string with one value per field, or null. The body parser turns a repeated field into an
 * array; taking either value would let two layers read different ones, so the request is refused instead.
 */
function singleValued(fields: unknown): Form | null {
  if (fields === undefined || fields === null) return {};
  if (typeof fields !== "object") return null;
  const values = Object.values(fields as Record<string, unknown>);
  return values.every((v) => typeof v === "string") ? (fields as Form) : null;
}

const MALFORMED_FORM = "The sign-in form was not sent correctly. Please try again.";

/**
 * The end-user side: sign-in page, dashboard of app tiles, and IdP-initiated SSO into AWS. Server-rendered,
 * works without JavaScript, strict CSP with a per-response nonce, CSRF tokens on every form.
 */
export async function portalRoutes(app: FastifyInstance, opts: { runtime: Runtime }) {
  const { runtime } = opts;
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  const secure = runtime.publicUrl.startsWith("https://");
  const cookie = (maxAgeSeconds?: number) => ({
    httpOnly: true,
    secure,
    // Lax, not Strict: a user following a link to their dashboard from mail or chat arrives signed in.
    sameSite: "lax" as const,
    path: "/",
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  });

  const send = (reply: FastifyReply, status: number, body: string, nonce: string, formAction?: string[]) =>
    reply
      .code(status)
      .type("text/html; charset=utf-8")
      .header("content-security-policy", cspFor(nonce, formAction))
      .send(body);

  async function current(request: FastifyRequest): Promise<{ user: User; csrf: string } | null> {
    const sid = request.cookies[PORTAL_COOKIE];
    if (!sid) return null;
    const found = await runtime.signIn.session(sid);
    return found && found.session.kind === "portal" ? { user: found.user, csrf: found.session.csrfToken } : null;
  }

  function loginForm(
    reply: FastifyReply,
    status: number,
    extra: { error?: string; login?: string; next?: string; askCode?: boolean } = {},
  ) {
    const nonce = randomBytes(16).toString("base64");
    const csrf = newSecret();
    reply.setCookie(LOGIN_CSRF_COOKIE, csrf, cookie(3600));
    return send(reply, status, loginPage({ nonce, csrf, ...extra }), nonce);
  }

  const origin = new URL(runtime.publicUrl).origin;
  registerActivationPages(app, runtime, secure);

  app.get("/login", async (request, reply) => {
    const query = singleValued(request.query);
    if (!query) return loginForm(reply, 400, { error: MALFORMED_FORM });
    return loginForm(reply, 200, query.next ? { next: safeNext(query.next, origin) } : {});
  });

  app.post("/login", async (request, reply) => {
    const form = singleValued(request.body);
    if (!form) return loginForm(reply, 400, { error: MALFORMED_FORM });
    const expected = request.cookies[LOGIN_CSRF_COOKIE];
    const next = safeNext(form.next, origin);
    if (!expected || !form[PORTAL_CSRF_FIELD] || !safeEqual(expected, form[PORTAL_CSRF_FIELD])) {
      return loginForm(reply, 403, { error: "Your sign-in form expired. Please try again.", next });
    }
    const login = (form.login ?? "").trim().slice(0, 200);
    try {
      const code = form.code?.trim() ? form.code.trim() : undefined;
      const { sessionId } = await runtime.signIn.signIn(
        "portal",
        login,
        form.password ?? "",
        request.id,
        code,
        request.ip,
      );
      reply.clearCookie(LOGIN_CSRF_COOKIE, cookie());
      reply.setCookie(PORTAL_COOKIE, sessionId, cookie(runtime.config.security.sessionTtlMinutes * 60));
      return reply.redirect(next, 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // Only a right password reaches the second-factor question, so only then is it asked.
      const askCode = err.details.secondFactor === "totp";
      const message =
        err.code === "locked_out"
          ? "Too many failed sign-ins. Try again later."
          : askCode
            ? err.message.charAt(0).toUpperCase() + err.message.slice(1)
            : "The username or password is not correct.";
      return loginForm(reply, err.status, { error: message, login, next, askCode });
    }
  });

  app.post("/logout", async (request, reply) => {
    const me = await current(request);
    const form = (request.body ?? {}) as Form;
    if (me && form[PORTAL_CSRF_FIELD] && safeEqual(me.csrf, form[PORTAL_CSRF_FIELD])) {
      await runtime.signIn.signOut(request.cookies[PORTAL_COOKIE] ?? "");
      reply.clearCookie(PORTAL_COOKIE, cookie());
    }
    return reply.redirect("/login", 303);
  });

  app.get("/", async (request, reply) => {
    const me = await current(request);
    if (!me) return reply.redirect("/login", 303);
    const groups = await runtime.store.memberships.groupsOfUser(me.user.id);
    const ids = await runtime.store.assignments.appIdsForUser(
      me.user.id,
      groups.map((g) => g.id),
    );
    const apps = (await Promise.all(ids.map((id) => runtime.store.apps.get(id)))).filter(
      // Only apps with a sign-in flow get a tile: AWS accounts, and Identity Center once its SAML is set up.
      (a): a is App =>
        a !== null && a.status === "ACTIVE" && (a.type === "aws-account-federation" || identityCenterSignsIn(a)),
    );
    const nonce = randomBytes(16).toString("base64");
    return send(reply, 200, dashboardPage({ nonce, csrf: me.csrf, user: me.user, apps }), nonce);
  });

  /** A page for a request that cannot go on, for a person signed in or not. */
  const refuse = (
    reply: FastifyReply,
    status: number,
    title: string,
    message: string,
    me?: { user: User; csrf: string },
  ) => {
    const nonce = randomBytes(16).toString("base64");
    return send(
      reply,
      status,
      messagePage({ nonce, title, message, ...(me ? { user: me.user, csrf: me.csrf } : {}) }),
      nonce,
    );
  };

  /**
   * SP-initiated sign-in, HTTP-POST binding: the service provider's form post carries no session cookie
   * (SameSite=Lax), so the request continues as a same-site GET in the HTTP-Redirect encoding.
   */
  app.post("/app/:slug/sso/saml", async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const form = singleValued(request.body);
    if (!form?.SAMLRequest)
      return refuse(reply, 400, "Sign-in failed", "The sign-in request has no single SAMLRequest.");
    try {
      const { xml } = decodeAuthnRequest(form.SAMLRequest, "post");
      const query = new URLSearchParams({ SAMLRequest: encodeForRedirect(xml) });
      if (form.RelayState !== undefined) query.set("RelayState", form.RelayState);
      return reply.redirect(`/app/${encodeURIComponent(slug)}/sso/saml?${query}`, 303);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return refuse(reply, err.status, "Sign-in failed", err.message);
    }
  });

  app.get("/app/:slug/sso/saml", async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const query = singleValued(request.query);
    if (!query) return refuse(reply, 400, "Sign-in failed", "The sign-in request repeats a parameter.");
    // SP-initiated (HTTP-Redirect binding): the request is checked before anyone is asked to sign in.
    let authn: AuthnRequest | null = null;
    if (query.SAMLRequest !== undefined) {
      try {
        authn = decodeAuthnRequest(query.SAMLRequest, "redirect").request;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return refuse(reply, err.status, "Sign-in failed", err.message);
      }
    }
    const me = await current(request);
    // The whole request, query included, comes back after sign-in (safeNext keeps same-origin paths only).
    if (!me) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    const nonce = randomBytes(16).toString("base64");
    const fail = (status: number, title: string, message: string) =>
      send(reply, status, messagePage({ nonce, title, message, user: me.user, csrf: me.csrf }), nonce);
    // The app and its active signing key in one statement (a sign-in needs both).
    const found = await runtime.store.apps.getBySlugWithActiveKey(slug);
    if (!found) return fail(404, "App not found", "There is no app at this address.");
    const target = found.app;
    try {
      if (authn) assertRequestForApp(target, authn);
      const relayState = query.RelayState ?? null;
      const deps = {
        store: runtime.store,
        keys: runtime.signingKeys,
        publicUrl: runtime.publicUrl,
        clock: runtime.clock,
        activeKey: found.activeKey,
      };
      // Identity Center signs in by NameID alone; every other app is AWS account federation (which refuses the rest).
      const signIn =
        target.type === "aws-iam-identity-center"
          ? await buildIdentityCenterSignIn(deps, target, me.user, relayState, authn?.id)
          : await buildAwsSignIn(deps, target, me.user, relayState, authn?.id);
      await runtime.store.log.append(
        logEvent(
          runtime.clock,
          { type: "user", id: me.user.id, display: me.user.profile.login, requestId: request.id },
          "user.authentication.sso",
          appTarget(target),
          "omittedTags" in signIn
            ? { roles: signIn.response.roleCount, acsUrl: signIn.acsUrl, omittedTags: signIn.omittedTags }
            : { acsUrl: signIn.acsUrl, nameId: me.user.profile.login },
        ),
      );
      const page = autoPostPage({
        nonce,
        acsUrl: signIn.postUrl,
        samlResponse: signIn.response.base64,
        relayState: signIn.relayState,
        label: target.label,
      });
      return send(reply, 200, page, nonce, [new URL(signIn.postUrl).origin]);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // The status is the error table's, like the admin API's; the page only words it for a person.
      return fail(err.status, err.status === 403 || err.status === 404 ? "No access" : "Sign-in failed", err.message);
    }
  });

  app.get("/app/:slug/saml/metadata", async (request, reply) => {
    const { slug } = request.params as { slug: string };
    const target = await runtime.store.apps.getBySlug(slug);
    if (!target) return reply.code(404).type("text/plain").send("no such app\n");
    const xml = await runtime.signingKeys.metadata(target, runtime.publicUrl);
    return reply
      .type("application/samlmetadata+xml; charset=utf-8")
      .header("content-disposition", `inline; filename="${slug}-metadata.xml"`)
      .send(xml);
  });
}
