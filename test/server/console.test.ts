import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../src/core/access/totp.js";
import { cliActor } from "../../src/core/audit.js";
import { CONSOLE_CSP, consoleRoutes } from "../../src/server/console/routes.js";
import { backends } from "../helpers/backends.js";
import { ADMIN, expectError, expectNothingWritten, type Harness, openHarness, profile } from "./harness.js";

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

describe("the Sign On tab's live preview: POST /apps/:id/explain with unsaved settings", () => {
  let h: Harness;
  const group = "aws#northamerica-production#Admin#222233334444";
  beforeAll(async () => {
    h = await openHarness(backends[0]!);
    await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile("alice@example.com") } });
    const g = await h.call({
      method: "POST",
      url: "/api/v1/groups",
      body: { profile: { name: group }, source: "active_directory" },
    });
    await h.call({ method: "PUT", url: `/api/v1/groups/${g.json().id}/users/alice@example.com` });
    const settings = { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" };
    await h.call({
      method: "POST",
      url: "/api/v1/apps",
      body: { slug: "aws-prod", type: "aws-account-federation", label: "AWS", settings },
    });
    await h.call({ method: "PUT", url: `/api/v1/apps/aws-prod/groups/${g.json().id}`, body: {} });
  });
  afterAll(async () => h?.close());

  const preview = (body: unknown) => h.call({ method: "POST", url: "/api/v1/apps/aws-prod/explain", body });

  it("answers what explain answers when no setting changes", async () => {
    const saved = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/explain?user=alice@example.com" });
    const same = await preview({ user: "alice@example.com" });
    expect(same.statusCode).toBe(200);
    expect(same.json()).toEqual(saved.json());
    expect(same.json().roles).toHaveLength(1);
  });

  it("shows what a changed App Filter would do, and saves and logs nothing", async () => {
    await expectNothingWritten(h, async () => {
      const res = await preview({ user: "alice@example.com", settings: { appFilter: "ldap" } });
      expect(res.statusCode).toBe(200);
      expect(res.json().roles).toEqual([]);
      expect(res.json().rejectedByAppFilter).toEqual([
        expect.objectContaining({ groupName: group, source: "active_directory" }),
      ]);
    });
    const app = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod" });
    expect(app.json().settings.appFilter).toBe("active_directory");
  });

  it("refuses invalid settings with the field at fault, as saving them would", async () => {
    const body = expectError(
      await preview({ user: "alice@example.com", settings: { sessionDuration: 60 } }),
      400,
      "validation_failed",
    );
    expect(JSON.stringify(body.details)).toContain("sessionDuration");
    const saving = await h.call({
      method: "POST",
      url: "/api/v1/apps/aws-prod",
      body: { settings: { sessionDuration: 60 } },
    });
    expect(expectError(saving, 400, "validation_failed").details).toEqual(body.details);
    expectError(await preview({ user: "nobody@example.com" }), 404, "not_found");
    expectError(await preview({ user: "alice@example.com", extra: 1 }), 400, "validation_failed");
  });
});
