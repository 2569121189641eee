import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import type { App } from "../../../src/core/apps/model.js";
import { cliActor } from "../../../src/core/audit.js";
import { seedDemo } from "../../../src/demo/seed.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { verifyWithXmlCrypto } from "../../core/saml/helpers.js";
import { backends } from "../../helpers/backends.js";
import { offsetClock, testRuntime } from "../../helpers/runtime.js";

/** SAML for programs: the browser's role resolution and signer, the person's own apps only, the app's CLI rules. */
describe.each(backends)("POST /api/v1/me/apps/:slug/saml on $name", (backend) => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let server: FastifyInstance;
  let aws: App;
  const clock = offsetClock();
  const actor = cliActor();

  async function signInFor(login: string) {
    const started = await runtime.deviceAuth.startAuthorization({ clientId: "rolebridge-cli" }, "http://x/device");
    await runtime.deviceAuth.decide(await runtime.directory.users.get(login), started.user_code, true);
    return runtime.deviceAuth.pollToken({ clientId: "rolebridge-cli", deviceCode: started.device_code });
  }
  const tokenFor = async (login: string) => (await signInFor(login)).access_token;
  const saml = (token: string, slug = "aws-demo") =>
    server.inject({
      method: "POST",
      url: `/api/v1/me/apps/${slug}/saml`,
      headers: { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend, { publicUrl: "https://idp.example.com" }, { clock }));
    await seedDemo(runtime, actor);
    aws = await createAppWithKey(runtime, actor, {
      slug: "aws-demo",
      type: "aws-account-federation",
      label: "AWS demo",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    for (const login of ["alice@example.com", "bob@example.com"]) {
      const user = await runtime.directory.users.get(login);
      await runtime.apps.assign(actor, aws.id, "user", user.id, {});
    }
    server = await buildApp(runtime);
  });
  afterAll(async () => {
    await server?.close();
    await cleanup?.();
  });

  it("returns the person's signed Response with the roles resolveRoles gives, and logs the browser's SSO event", async () => {
    const res = await saml(await tokenFor("alice@example.com"));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { samlResponse: string; roles: { roleArn: string }[]; partition: string };
    expect(body.partition).toBe("aws");
    const xml = Buffer.from(body.samlResponse, "base64").toString("utf8");
    const active = (await runtime.store.signingKeys.listForApp(aws.id)).find((k) => k.state === "active")!;
    expect(verifyWithXmlCrypto(xml, active.certificatePem).valid).toBe(true);
    const alice = await runtime.directory.users.get("alice@example.com");
    const expected = (await import("../../../src/core/apps/entitlements.js")).appEntitlements;
    const { roles } = await expected(runtime.store, aws, alice);
    expect(roles.length).toBe(3);
    expect(body.roles.map((r) => r.roleArn)).toEqual(roles.map((r) => r.roleArn));
    for (const r of roles) expect(xml).toContain(r.roleArn);
    const events = await runtime.store.log.list({ action: "user.authentication.sso" }, { limit: 5 });
    expect(events.items[0]).toMatchObject({
      actor: { id: alice.id },
      target: { id: aws.id },
      summary: { via: "cli", roles: roles.length },
    });
  });

  it("refuses an app the person is not assigned to, an unknown app, and a person with no role", async () => {
    const carol = await tokenFor("carol@example.com");
    expect((await saml(carol)).json()).toMatchObject({ code: "forbidden", details: { reason: "not_assigned" } });
    expect((await saml(carol, "nope")).statusCode).toBe(404);
    // The demo administrator is in no group at all: assigned, but no role.
    const admin = await runtime.directory.users.get("admin@example.com");
    await runtime.apps.assign(actor, aws.id, "user", admin.id, {});
    const none = await saml(await tokenFor("admin@example.com"));
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ details: { reason: "no_roles" } });
  });

  it("follows the app's CLI settings: switched off, a maximum sign-in age, and an inactive app", async () => {
    const token = await tokenFor("bob@example.com");
    await runtime.apps.update(actor, aws.id, { settings: { ...aws.settings, cliCredentials: { allowed: false } } });
    expect((await saml(token)).json()).toMatchObject({ code: "forbidden", details: { reason: "cli_not_allowed" } });
    const listed = await server.inject({
      method: "GET",
      url: "/api/v1/me/aws/roles",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listed.json()).toEqual({ apps: [] });

    await runtime.apps.update(actor, aws.id, {
      settings: { ...aws.settings, cliCredentials: { allowed: true, maxSessionHours: 1 } },
    });
    const signedIn = await signInFor("bob@example.com");
    clock.offsetMs = 50 * 60_000;
    const refreshed = await runtime.deviceAuth.refresh({
      clientId: "rolebridge-cli",
      refreshToken: signedIn.refresh_token,
    });
    clock.offsetMs = 61 * 60_000;
    try {
      // A fresh sign-in is fine; the refreshed token is valid, but its sign-in is older than the app allows.
      expect((await saml(await tokenFor("bob@example.com"))).statusCode).toBe(200);
      const tooOld = await saml(refreshed.access_token);
      expect(tooOld.statusCode).toBe(401);
      expect(tooOld.json()).toMatchObject({ details: { reason: "cli_session_too_old" } });
      expect(tooOld.json().message).toContain("rolebridge aws login");
    } finally {
      clock.offsetMs = 0;
    }
    await expect(
      runtime.apps.update(actor, aws.id, { settings: { ...aws.settings, cliCredentials: { maxSessionHours: 0 } } }),
    ).rejects.toMatchObject({ code: "validation_failed" });

    await runtime.apps.update(actor, aws.id, { settings: aws.settings });
    await runtime.apps.setStatus(actor, aws.id, "INACTIVE");
    const inactive = await saml(await tokenFor("bob@example.com"));
    expect(inactive.json()).toMatchObject({ code: "forbidden", details: { reason: "app_inactive" } });
  });
});
