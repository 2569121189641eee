import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { backends } from "../helpers/backends.js";
import { expectError, expectNothingWritten, type Harness, openHarness, profile } from "./harness.js";

describe.each(backends)("provisioning admin API on $name", (backend) => {
  let h: Harness;
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    h = await openHarness(backend, { bodyLimitBytes: 65_536 });
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it("creates an Identity Center app, takes its token write-only, tests it, syncs and reports status", async () => {
    const baseUrl = sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId);
    const bad = await h.call({
      method: "POST",
      url: "/api/v1/apps",
      body: { slug: "sso", type: "aws-iam-identity-center", label: "SSO", settings: { baseUrl: `${baseUrl}/` } },
    });
    expectError(bad, 400, "validation_failed");
    const created = await h.call({
      method: "POST",
      url: "/api/v1/apps",
      body: { slug: "sso", type: "aws-iam-identity-center", label: "SSO", settings: { baseUrl } },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ provisioning: { enabled: false } });
    expectError(await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/test" }), 409, "conflict");
    await expectNothingWritten(h, async () =>
      expectError(
        await h.call({ method: "PUT", url: "/api/v1/apps/sso/provisioning/token", body: { token: "x", extra: 1 } }),
        400,
        "validation_failed",
      ),
    );
    const put = await h.call({
      method: "PUT",
      url: "/api/v1/apps/sso/provisioning/token",
      body: { token: DEMO_IDENTITY_CENTER.scimToken },
    });
    expect(put.statusCode).toBe(204);
    expect((await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/test" })).json()).toEqual({ ok: true });
    expect((await h.call({ method: "GET", url: "/api/v1/apps/sso" })).body).not.toContain(
      DEMO_IDENTITY_CENTER.scimToken,
    );

    const user = await h.call({
      method: "POST",
      url: "/api/v1/users",
      body: { profile: profile("kim@example.com", { firstName: "Kim", lastName: "Ng" }) },
    });
    await h.call({ method: "PUT", url: `/api/v1/apps/sso/users/${user.json().id}`, body: {} });
    const dry = await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/sync?dryRun=true" });
    expect(dry.json()).toMatchObject({ dryRun: true, changes: 1, scope: { people: 1, groups: 0 } });
    // Off at creation: nothing is sent until the admin enables provisioning (issue 16).
    const off = await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/sync" });
    expect(expectError(off, 409, "conflict").message).toContain("provisioning to sso is disabled");
    expectError(await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/on" }), 400, "validation_failed");
    const enabled = await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/enable" });
    expect([enabled.statusCode, enabled.json().provisioning]).toEqual([200, { enabled: true }]);
    expect((await h.call({ method: "GET", url: "/api/v1/apps/sso" })).json()).toMatchObject({
      provisioning: { enabled: true },
    });
    const sync = await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/sync" });
    expect(sync.json()).toMatchObject({ dryRun: false, changes: 1, results: [{ kind: "createUser", status: "ok" }] });
    const status = await h.call({ method: "GET", url: "/api/v1/apps/sso/provisioning/status" });
    expect(status.json()).toMatchObject([{ kind: "user", status: "active", objectId: user.json().id }]);
    expectError(
      await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/sync", token: null }),
      401,
      "unauthorized",
    );
    // The target refusing its token is the target's failure (502), never rolebridge's own 401.
    await h.call({ method: "PUT", url: "/api/v1/apps/sso/provisioning/token", body: { token: "not-the-token" } });
    const refused = await h.call({ method: "POST", url: "/api/v1/apps/sso/provisioning/sync" });
    expect(expectError(refused, 502, "remote_failed").details).toMatchObject({ system: "scim", remoteStatus: 401 });
    expect(refused.headers["www-authenticate"]).toBeUndefined();
    const metrics = await h.call({ method: "GET", url: "/metrics", token: null });
    expect(metrics.body).toMatch(/rolebridge_scim_requests\{outcome="ok"\} [1-9]/);
    expect(metrics.body).toMatch(/rolebridge_scim_retries \d+/);
  });
});
