import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../../src/core/access/totp.js";
import { cliActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { verifyWithXmlCrypto } from "../../core/saml/helpers.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const ACCOUNT = "222233334444";

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  const hit = all.find((c: string) => c.startsWith(`${name}=`));
  return hit?.split(";")[0]?.slice(name.length + 1);
}

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];

describe.each(backends)("end-user portal on $name", (backend) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend, { publicUrl: "https://idp.example.com" }));
    app = await buildApp(runtime);
    const actor = cliActor();
    const { users, groups } = runtime.directory;
    const alice = await users.create(actor, {
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "Liddell",
        displayName: "Alice",
      },
      password: "alice-password-1",
    });
    await users.create(actor, {
      profile: {
        login: "bob@example.com",
        email: "bob@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
      password: "bob-password-1",
    });
    const aws = await runtime.apps.create(actor, {
      slug: "aws-demo",
      type: "aws-account-federation",
      label: "AWS <Production>",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    await runtime.signingKeys.create(actor, aws, "active");
    for (const role of ["Admin", "ReadOnly"]) {
      const g = await groups.create(actor, {
        name: `aws#northamerica-production#${role}#${ACCOUNT}`,
        source: "active_directory",
      });
      await groups.addMember(actor, g.id, alice.id);
      await runtime.apps.assign(actor, aws.id, "group", g.id, {});
    }
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  async function signIn(login: string, password: string, planted?: string) {
    const form = await app.inject({ method: "GET", url: "/login?next=/app/aws-demo/sso/saml" });
    const csrfCookie = cookieFrom(form, "rb_login_csrf")!;
    const res = await app.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: csrfCookie, ...(planted ? { rb_session: planted } : {}) },
      payload: new URLSearchParams({
        login,
        password,
        csrf: hidden(form.body, "csrf")!,
        next: hidden(form.body, "next") ?? "/",
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    return { res, session: cookieFrom(res, "rb_session") };
  }

  it("sends anonymous visitors to a sign-in page with a strict CSP and a CSRF token", async () => {
    expect((await app.inject({ method: "GET", url: "/" })).headers.location).toBe("/login");
    const page = await app.inject({ method: "GET", url: "/login" });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(hidden(page.body, "csrf")).toBe(cookieFrom(page, "rb_login_csrf"));
  });

  it("refuses a sign-in post without the form's CSRF token", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/login",
      payload: "login=alice%40example.com&password=alice-password-1&csrf=forged",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(403);
    expect(cookieFrom(res, "rb_session")).toBeUndefined();
  });

  it("signs in with a fresh session id (a planted one is ignored), HttpOnly and Secure", async () => {
    const { res, session } = await signIn("alice@example.com", "alice-password-1", "planted-by-attacker");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/app/aws-demo/sso/saml");
    expect(session).toBeDefined();
    expect(session).not.toBe("planted-by-attacker");
    const raw = String(res.headers["set-cookie"]);
    expect(raw).toMatch(/rb_session=[^;]+;.*HttpOnly/);
    expect(raw).toMatch(/rb_session=[^;]+;.*Secure/);
    expect(raw).toMatch(/SameSite=Lax/);
  });

  it("shows the assigned app as a tile and posts a signed Response to the ACS", async () => {
    const { session } = await signIn("alice@example.com", "alice-password-1");
    const home = await app.inject({ method: "GET", url: "/", cookies: { rb_session: session! } });
    expect(home.body).toContain("AWS &lt;Production&gt;");
    expect(home.body).toContain('href="/app/aws-demo/sso/saml"');
    const sso = await app.inject({ method: "GET", url: "/app/aws-demo/sso/saml", cookies: { rb_session: session! } });
    expect(sso.statusCode).toBe(200);
    expect(sso.body).toContain('action="https://signin.aws.amazon.com/saml"');
    expect(String(sso.headers["content-security-policy"])).toContain("form-action https://signin.aws.amazon.com");
    const xml = Buffer.from(hidden(sso.body, "SAMLResponse")!, "base64").toString("utf8");
    const cert = (await runtime.signingKeys.list(await runtime.apps.get("aws-demo"))).find(
      (k) => k.state === "active",
    )!;
    expect(verifyWithXmlCrypto(xml, cert.certificatePem).valid).toBe(true);
    expect(xml).toContain(`arn:aws:iam::${ACCOUNT}:role/Admin`);
  });

  it("gives a user with no role a clear page and no assertion", async () => {
    const { session } = await signIn("bob@example.com", "bob-password-1");
    const sso = await app.inject({ method: "GET", url: "/app/aws-demo/sso/saml", cookies: { rb_session: session! } });
    expect(sso.statusCode).toBe(403);
    expect(sso.body).toContain("not assigned");
    expect(sso.body).not.toContain("SAMLResponse");
  });

  it("an inactive app signs no one in", async () => {
    const { session } = await signIn("alice@example.com", "alice-password-1");
    await runtime.apps.setStatus(cliActor(), "aws-demo", "INACTIVE");
    try {
      const sso = await app.inject({ method: "GET", url: "/app/aws-demo/sso/saml", cookies: { rb_session: session! } });
      expect(sso.statusCode).toBe(403);
      expect(sso.body).toContain("switched off");
      const home = await app.inject({ method: "GET", url: "/", cookies: { rb_session: session! } });
      expect(home.body).not.toContain("/app/aws-demo/sso/saml");
    } finally {
      await runtime.apps.setStatus(cliActor(), "aws-demo", "ACTIVE");
    }
  });

  it("signs out only with the session's CSRF token", async () => {
    const { session } = await signIn("alice@example.com", "alice-password-1");
    const home = await app.inject({ method: "GET", url: "/", cookies: { rb_session: session! } });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    await app.inject({
      method: "POST",
      url: "/logout",
      cookies: { rb_session: session! },
      payload: "csrf=wrong",
      headers: form,
    });
    expect((await app.inject({ method: "GET", url: "/", cookies: { rb_session: session! } })).statusCode).toBe(200);
    const csrf = hidden(home.body, "csrf")!;
    await app.inject({
      method: "POST",
      url: "/logout",
      cookies: { rb_session: session! },
      payload: `csrf=${encodeURIComponent(csrf)}`,
      headers: form,
    });
    expect((await app.inject({ method: "GET", url: "/", cookies: { rb_session: session! } })).headers.location).toBe(
      "/login",
    );
  });

  it("locks the account after repeated failures", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await signIn("bob@example.com", "wrong-password")).res.statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    expect((await signIn("bob@example.com", "bob-password-1")).res.statusCode).toBe(429);
  });

  it("asks for the authenticator code once a TOTP factor is enrolled", async () => {
    await runtime.directory.users.create(cliActor(), {
      profile: {
        login: "mfa@example.com",
        email: "mfa@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
      password: "mfa-password-1",
    });
    const { secret } = await runtime.totp.enroll(cliActor(), "mfa@example.com");
    const without = await signIn("mfa@example.com", "mfa-password-1");
    expect(without.res.statusCode).toBe(401);
    expect(without.res.body).toContain('name="code"');
    expect(/role="alert">([^<]*)/.exec(without.res.body)?.[1]).toBe(
      "Enter the verification code from your authenticator app",
    );
    expect(without.session).toBeUndefined();
    const form = await app.inject({ method: "GET", url: "/login" });
    const res = await app.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: cookieFrom(form, "rb_login_csrf")! },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        login: "mfa@example.com",
        password: "mfa-password-1",
        code: currentTotpCode(secret, new Date()),
        csrf: hidden(form.body, "csrf")!,
      }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(cookieFrom(res, "rb_session")).toBeDefined();
  });

  it("serves the IdP metadata AWS needs at a stable URL", async () => {
    const res = await app.inject({ method: "GET", url: "/app/aws-demo/saml/metadata" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('entityID="https://idp.example.com/app/aws-demo/saml/metadata"');
    expect(res.body).toContain("<ds:X509Certificate>");
  });
});
