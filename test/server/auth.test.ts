import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import { ADMIN, expectError, expectNothingWritten, type Harness, openHarness, oversize, profile } from "./harness.js";

const MAX_ATTEMPTS = 3;

function sessionCookie(res: LightMyRequestResponse) {
  const cookie = res.cookies.find((c) => c.name === "rb_admin_session");
  if (!cookie) throw new Error("no session cookie was set");
  return cookie;
}

describe.each(backends)("admin API authentication on $name", (backend) => {
  let h: Harness;

  const signIn = (login: string, password: string, headers: Record<string, string> = {}) =>
    h.call({ method: "POST", url: "/api/v1/sessions", token: null, body: { login, password }, headers });

  beforeAll(async () => {
    h = await openHarness(backend, {
      security: { loginMaxAttempts: MAX_ATTEMPTS, lockoutMinutes: 15, sessionTtlMinutes: 60 },
    });
  });
  afterAll(async () => h?.close());

  describe("API tokens", () => {
    it("refuses a request without credentials with 401 and a Bearer challenge", async () => {
      const res = await h.call({ method: "GET", url: "/api/v1/users", token: null });
      expectError(res, 401, "unauthorized");
      expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    });

    it("refuses unknown tokens and non-Bearer schemes with 401", async () => {
      expectError(
        await h.call({ method: "GET", url: "/api/v1/users", token: "rbt_not-a-real-token" }),
        401,
        "unauthorized",
      );
      expectError(await h.call({ method: "GET", url: "/api/v1/users", token: "nope" }), 401, "unauthorized");
      const basic = await h.call({
        method: "GET",
        url: "/api/v1/users",
        token: null,
        headers: { authorization: "Basic YWRtaW46YWRtaW4=" },
      });
      expectError(basic, 401, "unauthorized");
      expect(basic.headers["www-authenticate"]).toMatch(/^Bearer/);
    });

    it("refuses an unauthenticated write before reading its body, and writes nothing", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({
          method: "POST",
          url: "/api/v1/users",
          token: null,
          body: { profile: profile("anon") },
        });
        expectError(res, 401, "unauthorized");
        const junk = await h.call({
          method: "POST",
          url: "/api/v1/users",
          token: null,
          payload: "{not json",
          headers: { "content-type": "application/json" },
        });
        expectError(junk, 401, "unauthorized");
      });
    });

    it("accepts a token until it is revoked, then answers 401", async () => {
      const created = await h.call({ method: "POST", url: "/api/v1/api-tokens", body: { name: "short-lived" } });
      expect(created.statusCode).toBe(201);
      const { id, secret } = created.json() as { id: string; secret: string };
      expect((await h.call({ method: "GET", url: "/api/v1/groups", token: secret })).statusCode).toBe(200);

      const revoked = await h.call({ method: "DELETE", url: `/api/v1/api-tokens/${id}` });
      expect(revoked.statusCode).toBe(204);
      expectError(await h.call({ method: "GET", url: "/api/v1/groups", token: secret }), 401, "unauthorized");
    });

    it("needs no CSRF header for writes made with a token", async () => {
      const res = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name: "token-writers" } } });
      expect(res.statusCode).toBe(201);
    });

    it("has no admin session to show or end", async () => {
      expectError(await h.call({ method: "GET", url: "/api/v1/sessions/me" }), 404, "not_found");
      expectError(await h.call({ method: "DELETE", url: "/api/v1/sessions/me" }), 404, "not_found");
    });
  });

  describe("admin sessions", () => {
    it("signs in with a hardened cookie and a CSRF token", async () => {
      const res = await signIn(ADMIN.login, ADMIN.password);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { user: { profile: { login: string } }; csrfToken: string; expiresAt: string };
      expect(body.user.profile.login).toBe(ADMIN.login);
      expect(body.csrfToken.length).toBeGreaterThan(20);
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
      const cookie = sessionCookie(res);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
      expect(cookie.secure).toBeFalsy();
      expect(JSON.stringify(body)).not.toContain(cookie.value);
    });

    it("reads with the cookie alone but refuses cookie writes without the right CSRF header", async () => {
      const res = await signIn(ADMIN.login, ADMIN.password);
      const cookie = `rb_admin_session=${sessionCookie(res).value}`;
      const { csrfToken } = res.json() as { csrfToken: string };

      const list = await h.call({ method: "GET", url: "/api/v1/users", token: null, headers: { cookie } });
      expect(list.statusCode).toBe(200);
      const me = await h.call({ method: "GET", url: "/api/v1/sessions/me", token: null, headers: { cookie } });
      expect(me.json()).toMatchObject({ csrfToken, user: { profile: { login: ADMIN.login } } });

      const body = { profile: { name: "csrf-protected" } };
      await expectNothingWritten(h, async () => {
        const without = await h.call({ method: "POST", url: "/api/v1/groups", token: null, headers: { cookie }, body });
        expect(expectError(without, 403, "forbidden").details).toEqual({ header: "x-csrf-token" });
        const wrong = await h.call({
          method: "POST",
          url: "/api/v1/groups",
          token: null,
          headers: { cookie, "x-csrf-token": `${csrfToken.slice(0, -1)}x` },
          body,
        });
        expectError(wrong, 403, "forbidden");
        const del = await h.call({ method: "DELETE", url: "/api/v1/sessions/me", token: null, headers: { cookie } });
        expectError(del, 403, "forbidden");
      });

      const ok = await h.call({
        method: "POST",
        url: "/api/v1/groups",
        token: null,
        headers: { cookie, "x-csrf-token": csrfToken },
        body,
      });
      expect(ok.statusCode).toBe(201);
      const log = await h.runtime.store.log.list({ action: "group.lifecycle.create" }, { limit: 1 });
      expect(log.items[0]?.actor).toMatchObject({ type: "user", display: ADMIN.login });
    });

    it("issues a new session id at every sign-in and ends the one the browser held", async () => {
      const first = await signIn(ADMIN.login, ADMIN.password);
      const firstId = sessionCookie(first).value;
      const second = await signIn(ADMIN.login, ADMIN.password, { cookie: `rb_admin_session=${firstId}` });
      const secondId = sessionCookie(second).value;
      expect(secondId).not.toBe(firstId);
      const old = await h.call({
        method: "GET",
        url: "/api/v1/users",
        token: null,
        headers: { cookie: `rb_admin_session=${firstId}` },
      });
      expectError(old, 401, "unauthorized");
      const current = await h.call({
        method: "GET",
        url: "/api/v1/users",
        token: null,
        headers: { cookie: `rb_admin_session=${secondId}` },
      });
      expect(current.statusCode).toBe(200);
    });

    it("ends the session on sign-out", async () => {
      const res = await signIn(ADMIN.login, ADMIN.password);
      const cookie = `rb_admin_session=${sessionCookie(res).value}`;
      const { csrfToken } = res.json() as { csrfToken: string };
      const out = await h.call({
        method: "DELETE",
        url: "/api/v1/sessions/me",
        token: null,
        headers: { cookie, "x-csrf-token": csrfToken },
      });
      expect(out.statusCode).toBe(204);
      expect(sessionCookie(out).value).toBe("");
      expectError(
        await h.call({ method: "GET", url: "/api/v1/users", token: null, headers: { cookie } }),
        401,
        "unauthorized",
      );
    });

    it("refuses a wrong password with 401 and a non-administrator with 403", async () => {
      expectError(await signIn(ADMIN.login, "wrong password"), 401, "unauthorized");
      expectError(await signIn("nobody@example.com", "whatever password"), 401, "unauthorized");
      const created = await h.call({
        method: "POST",
        url: "/api/v1/users",
        body: { profile: profile("plain-user"), credentials: { password: { value: "plain user password" } } },
      });
      expect(created.statusCode).toBe(201);
      const res = await signIn("plain-user", "plain user password");
      expectError(res, 403, "forbidden");
      expect(res.cookies).toHaveLength(0);
    });

    it(`locks the account after ${MAX_ATTEMPTS} failures, even for the right password`, async () => {
      const created = await h.call({
        method: "POST",
        url: "/api/v1/users",
        body: { profile: profile("lock-me"), credentials: { password: { value: "the right password" } } },
      });
      expect(created.statusCode).toBe(201);
      for (let i = 0; i < MAX_ATTEMPTS; i++)
        expectError(await signIn("lock-me", "a wrong password"), 401, "unauthorized");
      const locked = await signIn("lock-me", "the right password");
      expect(expectError(locked, 429, "locked_out").details).toHaveProperty("until");
      expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
      expect(locked.cookies).toHaveLength(0);
      // Another account is not affected.
      expect((await signIn(ADMIN.login, ADMIN.password)).statusCode).toBe(200);
    });

    it("refuses bad sign-in input precisely and writes nothing", async () => {
      await expectNothingWritten(h, async () => {
        const json = await h.call({
          method: "POST",
          url: "/api/v1/sessions",
          token: null,
          payload: '{"login": "admin"',
          headers: { "content-type": "application/json" },
        });
        expectError(json, 400, "invalid_json");
      });
      await expectNothingWritten(h, async () => {
        const extra = await h.call({
          method: "POST",
          url: "/api/v1/sessions",
          token: null,
          body: { login: ADMIN.login, password: ADMIN.password, remember: true },
        });
        expect(expectError(extra, 400, "validation_failed").details).toMatchObject({
          errors: [{ path: "/remember" }],
        });
        const missing = await h.call({ method: "POST", url: "/api/v1/sessions", token: null, body: { login: "x" } });
        expectError(missing, 400, "validation_failed");
        const form = await h.call({
          method: "POST",
          url: "/api/v1/sessions",
          token: null,
          payload: "login=admin&password=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expectError(form, 415, "unsupported_media_type");
        const big = await h.call({
          method: "POST",
          url: "/api/v1/sessions",
          token: null,
          body: oversize({ login: ADMIN.login, password: ADMIN.password }),
        });
        expectError(big, 413, "payload_too_large");
      });
    });
  });
});

describe("session cookie behind https", () => {
  it("is Secure when the public URL is https", async () => {
    const h = await openHarness(backends[0]!, { publicUrl: "https://idp.example.com" });
    try {
      const res = await h.call({ method: "POST", url: "/api/v1/sessions", token: null, body: ADMIN });
      expect(res.statusCode).toBe(200);
      expect(sessionCookie(res).secure).toBe(true);
    } finally {
      await h.close();
    }
  });
});
