import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../src/core/access/totp.js";
import { cliActor } from "../../src/core/audit.js";
import { CONSOLE_CSP, consoleRoutes } from "../../src/server/console/routes.js";
import { backends } from "../helpers/backends.js";
import { ADMIN, expectError, type Harness, openHarness } from "./harness.js";

describe("the admin console's files at /admin", () => {
  const dir = mkdtempSync(join(tmpdir(), "rb-console-"));
  const app = Fastify();
  beforeAll(async () => {
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), '<!doctype html><script type="module" src="/admin/assets/a-1.js"></script>');
    writeFileSync(join(dir, "assets", "a-1.js"), "console.log(1)");
    writeFileSync(join(dir, "assets", "a-1.css"), "body{}");
    await app.register(consoleRoutes, { dir });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the page at /admin and at every console address, under a CSP that allows no inline script", async () => {
    for (const url of ["/admin", "/admin/", "/admin/people", "/admin/apps/aws-demo?tab=general"]) {
      const res = await app.inject({ method: "GET", url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["content-security-policy"]).toBe(CONSOLE_CSP);
      expect(res.body).toContain("/admin/assets/a-1.js");
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
  });

  it("serves hashed assets with their type, cached for good, and 404 for any other asset", async () => {
    const js = await app.inject({ method: "GET", url: "/admin/assets/a-1.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(js.body).toBe("console.log(1)");
    const css = await app.inject({ method: "GET", url: "/admin/assets/a-1.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    // Only the files read at start are served: no path reaches the file system.
    for (const url of ["/admin/assets/missing.js", "/admin/assets/%2e%2e/%2e%2e/package.json", "/admin/assets/"]) {
      expect({ url, status: (await app.inject({ method: "GET", url })).statusCode }).toEqual({ url, status: 404 });
    }
  });

  it("says how to build the console when it is not built", async () => {
    const bare = Fastify();
    await bare.register(consoleRoutes, { dir: null });
    const res = await bare.inject({ method: "GET", url: "/admin" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
    await bare.close();
  });
});

describe("admin sign-in with an authenticator code", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backends[0]!);
  });
  afterAll(async () => h?.close());

  const signIn = (body: Record<string, string>) =>
    h.call({ method: "POST", url: "/api/v1/sessions", token: null, body });

  it("asks for the code of an enrolled admin, refuses a wrong one and accepts the current one", async () => {
    const { secret } = await h.runtime.totp.enroll(cliActor(), ADMIN.login);
    const asked = expectError(await signIn(ADMIN), 401, "unauthorized");
    expect(asked.details).toMatchObject({ secondFactor: "totp" });
    const wrongCode = currentTotpCode(secret, new Date()) === "000000" ? "111111" : "000000";
    const wrong = expectError(await signIn({ ...ADMIN, totpCode: wrongCode }), 401, "unauthorized");
    expect(wrong.message).toBe("the verification code is not correct");
    const ok = await signIn({ ...ADMIN, totpCode: currentTotpCode(secret, new Date()) });
    expect(ok.statusCode).toBe(200);
    expect(ok.cookies.some((c) => c.name === "rb_admin_session")).toBe(true);
  });

  it("refuses a code that is not a string or is too long, before any check", async () => {
    expectError(await signIn({ ...ADMIN, totpCode: "1".repeat(17) }), 400, "validation_failed");
    const res = await h.call({
      method: "POST",
      url: "/api/v1/sessions",
      token: null,
      body: { ...ADMIN, totpCode: 123 },
    });
    expectError(res, 400, "validation_failed");
  });
});
