import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .find((c: string) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);
}
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];

describe.each(backends)("portal sign-in under attack on $name", (backend) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend, { publicUrl: "https://idp.example.com" }));
    app = await buildApp(runtime);
    const profile = (login: string) => ({ login, email: login, firstName: null, lastName: null, displayName: null });
    for (const login of ["ann@example.com", "cat@example.com"]) {
      await runtime.directory.users.create(cliActor(), { profile: profile(login), password: "correct-password-1" });
    }
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  /** Posts the sign-in form as a browser would: `fields` are raw `name=value` pairs, encoded by the caller. */
  async function post(fields: string[], ip = "127.0.0.1") {
    const form = await app.inject({ method: "GET", url: "/login" });
    const csrf = hidden(form.body, "csrf")!;
    return app.inject({
      method: "POST",
      url: "/login",
      remoteAddress: ip,
      cookies: { rb_login_csrf: cookieFrom(form, "rb_login_csrf")! },
      headers: FORM,
      payload: [`csrf=${encodeURIComponent(csrf)}`, ...fields].join("&"),
    });
  }

  describe("the next parameter", () => {
    const credentials = ["login=ann%40example.com", "password=correct-password-1"];

    it.each([
      ["a tab", "/%09/evil.example"],
      ["a carriage return", "/%0d/x"],
      ["a line feed", "/%0a/x"],
      ["a full-width space", "/%E3%80%80/evil.example"],
      ["a backslash", "/%5Cevil.example"],
      ["two slashes", "//evil.example"],
      ["dot segments to two slashes", "/.//evil.example"],
      ["an absolute URL", "https%3A%2F%2Fevil.example%2F"],
      ["U+2028", "/%E2%80%A8/evil.example"],
    ])("a correct password with %s in next lands on / with a session", async (_what, next) => {
      const res = await post([...credentials, `next=${next}`]);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe("/");
      expect(cookieFrom(res, "rb_session")).toBeDefined();
    });

    it("keeps a same-origin next", async () => {
      const res = await post([...credentials, `next=${encodeURIComponent("/app/aws/sso/saml?RelayState=x")}`]);
      expect(res.headers.location).toBe("/app/aws/sso/saml?RelayState=x");
    });

    it("refuses a form with two values for one field with 400, and no session", async () => {
      for (const fields of [
        [...credentials, "next=/a", "next=/b"],
        ["login=ann%40example.com", "login=cat%40example.com", "password=correct-password-1"],
        [...credentials, "password=other"],
      ]) {
        const res = await post(fields);
        expect(res.statusCode).toBe(400);
        expect([res.headers.location, cookieFrom(res, "rb_session")]).toEqual([undefined, undefined]);
      }
      const twice = await app.inject({ method: "GET", url: "/login?next=/a&next=/b" });
      expect(twice.statusCode).toBe(400);
      const hostile = await app.inject({ method: "GET", url: "/login?next=%2F%09%2Fevil.example" });
      expect(hostile.statusCode).toBe(200);
      expect(hidden(hostile.body, "next") ?? "/").toBe("/");
    });
  });
});
