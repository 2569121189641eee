import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../../src/core/access/totp.js";
import { backends } from "../../helpers/backends.js";
import { expectError, type Harness, openHarness, profile } from "../harness.js";

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .find((c: string) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);
}
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];

/** Issue 16 item 4 through HTTP: the admin API issues the link, the portal page uses it. */
describe.each(backends)("activation links over HTTP on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend, {
      publicUrl: "https://idp.example.com",
      security: { loginMaxAttempts: 5, lockoutMinutes: 15, sessionTtlMinutes: 60, requireMfa: true },
    });
  });
  afterAll(async () => h?.close());

  const page = (path: string) => h.app.inject({ method: "GET", url: path });
  const post = (path: string, cookie: string | undefined, fields: Record<string, string>) =>
    h.app.inject({
      method: "POST",
      url: path,
      cookies: cookie ? { rb_activate_csrf: cookie } : {},
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(fields).toString(),
    });

  it("issues a link by API, and the page sets the password and enrols TOTP, once, under CSRF and CSP", async () => {
    const created = await h.call({
      method: "POST",
      url: "/api/v1/users?activate=false",
      body: { profile: profile("eve@example.com") },
    });
    expect(created.statusCode).toBe(201);
    expectError(
      await h.call({ method: "POST", url: "/api/v1/users/eve@example.com/activation-link", body: { expires: "2y" } }),
      400,
      "validation_failed",
    );
    const issued = await h.call({
      method: "POST",
      url: "/api/v1/users/eve@example.com/activation-link",
      body: { expires: "1h" },
    });
    expect(issued.statusCode).toBe(200);
    const { url, expiresAt } = issued.json() as { url: string; expiresAt: string };
    expect(url).toMatch(/^https:\/\/idp\.example\.com\/activate\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 59 * 60_000);
    const path = new URL(url).pathname;

    const form = await page(path);
    expect(form.statusCode).toBe(200);
    expect(form.headers["content-security-policy"]).toMatch(/default-src 'none'.*script-src 'nonce-/);
    expect([form.headers["cache-control"], form.headers["referrer-policy"]]).toEqual(["no-store", "no-referrer"]);
    expect(form.body).toContain("Set your password");
    const csrf = cookieFrom(form, "rb_activate_csrf")!;
    const sealed = hidden(form.body, "totp")!;
    const secret = /<code>([A-Z2-7]+)<\/code>/.exec(form.body)?.[1];
    expect(secret).toBeDefined();

    const password = "eve-long-password";
    const forged = await post(path, "not-the-cookie", { csrf, password, confirm: password, totp: sealed, code: "1" });
    expect(forged.statusCode).toBe(403);
    const mismatch = await post(path, csrf, { csrf, password, confirm: "other", totp: sealed, code: "000000" });
    expect([mismatch.statusCode, mismatch.body.includes("The two passwords are not the same.")]).toEqual([400, true]);
    // The form shown again keeps the authenticator key the person may already have scanned.
    expect(/<code>([A-Z2-7]+)<\/code>/.exec(mismatch.body)?.[1]).toBe(secret);
    const short = await post(path, csrf, { csrf, password: "short", confirm: "short", totp: sealed, code: "000000" });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain("must be 8-");

    const code = currentTotpCode(secret!, new Date());
    const done = await post(path, csrf, { csrf, password, confirm: password, totp: sealed, code });
    expect([done.statusCode, done.body.includes("You are all set")]).toEqual([200, true]);
    const again = await page(path);
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain("This link is not valid");

    const user = await h.call({ method: "GET", url: "/api/v1/users/eve@example.com" });
    expect(user.json().status).toBe("ACTIVE");
    const signIn = await h.call({
      method: "POST",
      url: "/api/v1/sessions",
      token: null,
      body: { login: "eve@example.com", password },
    });
    expect(signIn.statusCode).toBe(401); // the authenticator enrolled on the page is now required
  });

  it("refuses a link for a person who has a password unless it is a reset, and an unknown token", async () => {
    const refused = await h.call({ method: "POST", url: "/api/v1/users/eve@example.com/activation-link", body: {} });
    expect(expectError(refused, 409, "conflict").message).toContain("already has a password");
    const reset = await h.call({
      method: "POST",
      url: "/api/v1/users/eve@example.com/activation-link",
      body: { reset: true },
    });
    const resetPage = await page(new URL((reset.json() as { url: string }).url).pathname);
    expect(resetPage.body).toContain("Reset your password");
    expect(resetPage.body).not.toContain('name="totp"'); // she already has an authenticator
    expect((await page("/activate/not-a-real-token-but-long-enough-xxxxxxxx")).statusCode).toBe(404);
    expect((await page("/activate/%3Cscript%3E")).body).not.toContain("<script>");
  });
});
