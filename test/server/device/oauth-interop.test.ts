import type { FastifyInstance } from "fastify";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../../src/core/access/totp.js";
import { cliActor } from "../../../src/core/audit.js";
import { DEMO_USER_PASSWORD, seedDemo } from "../../../src/demo/seed.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { backends } from "../../helpers/backends.js";
import { PortalBrowser } from "../../helpers/portal-browser.js";
import { offsetClock, testRuntime } from "../../helpers/runtime.js";

const CLIENT = "rolebridge-cli";
const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** RFC 8628 against an OAuth client we did not write (openid-client), and the RFC's error cases by hand. */
describe.each(backends)("device authorization grant on $name", (backend) => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let url: string;
  const clock = offsetClock();

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend, { cliSignIn: { pollIntervalSeconds: 1 } }, { clock }));
    await seedDemo(runtime, cliActor());
    app = await buildApp(runtime);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    runtime.publicUrl = url;
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  const post = async (path: string, form: Record<string, string>) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
  };
  const start = () => post("/oauth/device_authorization", { client_id: CLIENT, scope: "aws" });
  const poll = (deviceCode: string) =>
    post("/oauth/token", { grant_type: DEVICE_GRANT, client_id: CLIENT, device_code: deviceCode });

  it("openid-client discovers the server, starts the grant and polls until a person approves in the portal", async () => {
    const config = await oidc.discovery(new URL(url), CLIENT, undefined, oidc.None(), {
      algorithm: "oauth2",
      execute: [oidc.allowInsecureRequests],
    });
    const started = await oidc.initiateDeviceAuthorization(config, { scope: "aws" });
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.verification_uri).toBe(`${url}/device`);
    const polling = oidc.pollDeviceAuthorizationGrant(config, started);
    const browser = new PortalBrowser(url);
    // Not signed in yet: the link goes through the sign-in page and comes back.
    const first = await browser.request(started.verification_uri_complete!);
    expect(first.status).toBe(303);
    const next = new URL(first.location!, url).searchParams.get("next")!;
    const signedIn = await browser.signIn("alice@example.com", DEMO_USER_PASSWORD, next);
    expect(signedIn.location).toBe(next);
    const decided = await browser.decideDevice(next, "approve");
    expect(decided.status).toBe(200);
    const tokens = await polling;
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.access_token).toMatch(/^rbu_/);
    expect(tokens.refresh_token).toMatch(/^rbr_/);

    const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await me.json()) as { user: { login: string } }).user.login).toBe("alice@example.com");

    // The refresh grant, through the library too; the old refresh token then stops working.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });

    // RFC 7009 revocation through the library ends the session: the access token is refused.
    await oidc.tokenRevocation(config, refreshed.refresh_token!);
    const after = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const events = await runtime.store.log.list({ action: "user.cli_session.revoke" }, { limit: 10 });
    expect(events.items).toHaveLength(1);
  });

  it("answers authorization_pending, then slow_down with a longer interval when polled too fast", async () => {
    const started = (await start()).json;
    const first = await poll(String(started.device_code));
    expect(first).toMatchObject({ status: 400, json: { error: "authorization_pending" } });
    expect(first.headers.get("cache-control")).toBe("no-store");
    const second = await poll(String(started.device_code));
    expect(second).toMatchObject({ status: 400, json: { error: "slow_down" } });
    expect(String(second.json.error_description)).toContain("6 seconds");
  });

  it("answers access_denied when the person denies, and invalid_grant for a code already used", async () => {
    const started = (await start()).json;
    const browser = new PortalBrowser(url);
    await browser.signIn("bob@example.com", DEMO_USER_PASSWORD);
    expect((await browser.decideDevice(String(started.verification_uri_complete), "deny")).status).toBe(200);
    expect((await poll(String(started.device_code))).json.error).toBe("access_denied");

    const approved = (await start()).json;
    await browser.decideDevice(String(approved.verification_uri_complete), "approve");
    expect((await poll(String(approved.device_code))).status).toBe(200);
    expect((await poll(String(approved.device_code))).json.error).toBe("invalid_grant");
  });

  it("answers expired_token once the device code has expired, and the page no longer offers it", async () => {
    const started = (await start()).json;
    clock.offsetMs = 11 * 60_000;
    try {
      expect((await poll(String(started.device_code))).json.error).toBe("expired_token");
      const browser = new PortalBrowser(url);
      await browser.signIn("bob@example.com", DEMO_USER_PASSWORD);
      expect((await browser.request(String(started.verification_uri_complete))).status).toBe(404);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it("refuses unknown clients, unknown grant types, repeated parameters and JSON bodies in OAuth's shape", async () => {
    expect(await post("/oauth/device_authorization", { client_id: "someone-else" })).toMatchObject({
      status: 401,
      json: { error: "invalid_client" },
    });
    expect((await post("/oauth/token", { grant_type: "password", client_id: CLIENT })).json.error).toBe(
      "unsupported_grant_type",
    );
    const repeated = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=${encodeURIComponent(DEVICE_GRANT)}&client_id=${CLIENT}&device_code=a&device_code=b`,
    });
    expect(await repeated.json()).toMatchObject({ error: "invalid_request" });
    const json = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: DEVICE_GRANT, client_id: CLIENT }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });
  });

  it("asks a person with an authenticator for the code before the approval page", async () => {
    const { secret } = await runtime.totp.enroll(cliActor(), "erin@example.com");
    const started = (await start()).json;
    const browser = new PortalBrowser(url);
    await expect(browser.signIn("erin@example.com", DEMO_USER_PASSWORD)).rejects.toThrow("sign-in failed with 401");
    await browser.signIn("erin@example.com", DEMO_USER_PASSWORD, undefined, currentTotpCode(secret, clock.now()));
    expect((await browser.decideDevice(String(started.verification_uri_complete), "approve")).status).toBe(200);
    expect((await poll(String(started.device_code))).status).toBe(200);
  });

  it("lets the person see their command-line sign-ins in the portal and end one", async () => {
    const started = (await start()).json;
    const browser = new PortalBrowser(url);
    await browser.signIn("dave@example.com", DEMO_USER_PASSWORD);
    await browser.decideDevice(String(started.verification_uri_complete), "approve");
    const tokens = (await poll(String(started.device_code))).json;
    const page = await browser.request("/cli-sessions");
    const [session] = (
      await runtime.deviceAuth.listForUser((await runtime.directory.users.get("dave@example.com")).id)
    ).map((s) => s.id);
    expect(page.body).toContain(`id="${session}"`);
    const ended = await browser.request("/cli-sessions", {
      form: { csrf: PortalBrowser.hidden(page.body, "csrf"), session: session! },
    });
    expect(ended.status).toBe(303);
    expect((await browser.request("/cli-sessions")).body).toContain("No command-line sign-ins.");
    const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
  });

  it("lets an administrator list and end a person's CLI sessions over the admin API", async () => {
    const started = (await start()).json;
    const browser = new PortalBrowser(url);
    await browser.signIn("carol@example.com", DEMO_USER_PASSWORD);
    await browser.decideDevice(String(started.verification_uri_complete), "approve");
    const tokens = (await poll(String(started.device_code))).json;
    const { secret } = await runtime.tokens.create(cliActor(), { name: "test" });
    const admin = { authorization: `Bearer ${secret}` };
    const listed = await fetch(`${url}/api/v1/users/carol@example.com/cli-sessions`, { headers: admin });
    const sessions = (await listed.json()) as { id: string; revokedAt: string | null }[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.revokedAt).toBeNull();
    const ended = await fetch(`${url}/api/v1/users/carol@example.com/cli-sessions/${sessions[0]!.id}`, {
      method: "DELETE",
      headers: admin,
    });
    expect(ended.status).toBe(204);
    const me = await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);
    const refresh = await post("/oauth/token", {
      grant_type: "refresh_token",
      client_id: CLIENT,
      refresh_token: String(tokens.refresh_token),
    });
    expect(refresh.json.error).toBe("invalid_grant");
    // The admin API's OpenAPI document has the admin routes, not the end-user side.
    const doc = (await (await fetch(`${url}/api/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/users/{id}/cli-sessions", "/api/v1/users/{id}/cli-sessions/{sessionId}"]),
    );
    expect(
      Object.keys(doc.paths).filter((p) => /^\/(oauth|device|cli-sessions|\.well-known)|^\/api\/v1\/me(\/|$)/.test(p)),
    ).toEqual([]);
    // A CLI token is not an admin token.
    const asAdmin = await fetch(`${url}/api/v1/users`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(asAdmin.status).toBe(401);
  });
});
