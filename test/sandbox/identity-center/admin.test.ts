import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { group, scimClient, user } from "./helpers.js";

let sandbox: SandboxHandle;
const TENANT = "d-6666666666";

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, fixture: "demo" });
});
afterAll(() => sandbox.close());

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}/_sandbox/identity-center${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe("Identity Center admin API", () => {
  it("creates an instance and at most 2 SCIM tokens, shown once", async () => {
    expect((await admin("POST", "", { tenantId: TENANT, region: "eu-west-1" })).status).toBe(201);
    expect((await admin("POST", "", { tenantId: TENANT })).status).toBe(409);
    expect((await admin("POST", "", { tenantId: "not-a-tenant" })).status).toBe(400);
    const first = await admin("POST", `/${TENANT}/tokens`);
    const second = await admin("POST", `/${TENANT}/tokens`);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect((await admin("POST", `/${TENANT}/tokens`)).status).toBe(409);
    const listed = await admin("GET", `/${TENANT}/tokens`);
    expect(listed.body).toHaveLength(2);
    expect(JSON.stringify(listed.body)).not.toContain(first.body.token);
    expect(new Date(first.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 364 * 86400_000);

    const scim = scimClient(sandbox, TENANT, first.body.token);
    expect((await scim("GET", "/Users")).status).toBe(200);
    expect((await admin("DELETE", `/${TENANT}/tokens/${first.body.tokenId}`)).status).toBe(204);
    expect((await scim("GET", "/Users")).status).toBe(401);
    expect((await scim("GET", "/Users", undefined, second.body.token)).status).toBe(200);
  });

  it("answers 401 for an expired token", async () => {
    const expired = await admin("POST", `/${TENANT}/tokens`, { expiresAt: "2020-01-01T00:00:00Z" });
    expect(expired.status).toBe(201);
    expect((await scimClient(sandbox, TENANT, expired.body.token)("GET", "/Users")).status).toBe(401);
  });

  it("creates permission sets and assigns them to provisioned groups on accounts", async () => {
    const { token } = sandbox.identityCenter.admin.createToken("d-9067c0ffee");
    const scim = scimClient(sandbox, "d-9067c0ffee", token);
    await scim("POST", "/Groups", group("aws-admins"));
    const created = await admin("POST", "/d-9067c0ffee/permission-sets", {
      name: "BillingViewer",
      sessionDuration: "PT4H",
    });
    expect(created.status).toBe(201);
    expect(created.body.arn).toMatch(/^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/);
    expect((await admin("POST", "/d-9067c0ffee/permission-sets", { name: "BillingViewer" })).status).toBe(409);
    const assigned = await admin("POST", "/d-9067c0ffee/assignments", {
      permissionSet: "AdministratorAccess",
      group: "aws-admins",
      accountId: "222233334444",
    });
    expect(assigned.status).toBe(201);
    const listed = await admin("GET", "/d-9067c0ffee/assignments");
    expect(listed.body).toEqual([
      expect.objectContaining({
        permissionSetName: "AdministratorAccess",
        groupDisplayName: "aws-admins",
        accountId: "222233334444",
      }),
    ]);
    const missing = [
      { permissionSet: "Nope", group: "aws-admins", accountId: "222233334444" },
      { permissionSet: "ReadOnlyAccess", group: "not-provisioned", accountId: "222233334444" },
      { permissionSet: "ReadOnlyAccess", group: "aws-admins", accountId: "999999999999" },
    ];
    for (const body of missing) expect((await admin("POST", "/d-9067c0ffee/assignments", body)).status).toBe(404);
    expect((await admin("POST", "/d-9067c0ffee/settings", { faults: { status500Rate: 5 } })).status).toBe(400);
    expect((await admin("GET", "/d-0000000000/tokens")).status).toBe(404);
  });
});

describe("the demo instance", () => {
  it("matches DEMO_IDENTITY_CENTER and accepts the documented token", async () => {
    const fixture = JSON.parse(readFileSync(new URL("../../../fixtures/sandbox/demo.json", import.meta.url), "utf8"));
    const instance = fixture.identityCenter.instances[0];
    expect(instance.tenantId).toBe(DEMO_IDENTITY_CENTER.tenantId);
    expect(instance.scimTokens[0].token).toBe(DEMO_IDENTITY_CENTER.scimToken);
    const names = sandbox.identityCenter.admin.listPermissionSets(DEMO_IDENTITY_CENTER.tenantId).map((p) => p.name);
    expect(names).toEqual([...DEMO_IDENTITY_CENTER.permissionSets, "BillingViewer"]);
    const scim = scimClient(sandbox, DEMO_IDENTITY_CENTER.tenantId, DEMO_IDENTITY_CENTER.scimToken);
    expect((await scim("GET", "/ServiceProviderConfig")).status).toBe(200);
    expect(sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId)).toBe(`${sandbox.url}/d-9067c0ffee/scim/v2`);
  });

  it("keeps provisioned users in sandbox.db across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-ic-"));
    try {
      const first = await startSandbox({ port: 0, dataDir: dir });
      const scim = () => scimClient(first, DEMO_IDENTITY_CENTER.tenantId, DEMO_IDENTITY_CENTER.scimToken);
      expect((await scim()("POST", "/Users", user("persisted@example.com"))).status).toBe(201);
      await first.close();
      const second = await startSandbox({ port: 0, dataDir: dir });
      try {
        const again = scimClient(second, DEMO_IDENTITY_CENTER.tenantId, DEMO_IDENTITY_CENTER.scimToken);
        const found = await again("GET", `/Users?filter=${encodeURIComponent('userName eq "persisted@example.com"')}`);
        expect(found.body.totalResults).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
