import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../src/core/audit.js";
import { DEMO, type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { backends } from "../helpers/backends.js";
import { expectError, type Harness, openHarness } from "./harness.js";

describe.each(backends)("policy audit/fix/rollback API on $name", (backend) => {
  let h: Harness;
  let sandbox: SandboxHandle;
  let id: string;

  beforeAll(async () => {
    h = await openHarness(backend);
    sandbox = await startSandbox({ fixture: "demo" });
    const app = await h.runtime.apps.create(systemActor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS (API mode)",
      settings: {
        defaultSamlProviderName: "okta",
        api: { enabled: true, endpointUrl: sandbox.url, connectedAccountIds: Object.values(DEMO.accounts) },
      },
    });
    id = app.id;
    await h.runtime.legacyApi.setCredentials(systemActor, id, DEMO.apiUser);
  });
  afterAll(async () => {
    await sandbox?.close();
    await h?.close();
  });

  it("sets the administrator keys, audits, dry-runs, fixes and rolls back", async () => {
    const creds = await h.call({
      method: "PUT",
      url: `/api/v1/apps/${id}/aws/policy/admin-credentials`,
      body: { accessKeyId: DEMO.admin.accessKeyId, secretAccessKey: DEMO.admin.secretAccessKey },
    });
    expect(creds.statusCode, creds.body).toBe(204);
    const audit = await h.call({ method: "POST", url: `/api/v1/apps/${id}/aws/policy/audit`, body: {} });
    expect(audit.statusCode, audit.body).toBe(200);
    expect(audit.json().findings).toContainEqual(
      expect.objectContaining({ code: "assume_role_wildcard", severity: "high" }),
    );

    const dry = await h.call({ method: "POST", url: `/api/v1/apps/${id}/aws/policy/fix`, body: { dryRun: true } });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({
      dryRun: true,
      changed: true,
      diff: expect.stringContaining('-       "Resource": "*"'),
    });
    const fixed = await h.call({ method: "POST", url: `/api/v1/apps/${id}/aws/policy/fix`, body: {} });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json().backupId).toMatch(/^pbk_/);
    const back = await h.call({ method: "POST", url: `/api/v1/apps/${id}/aws/policy/rollback` });
    expect(back.json()).toMatchObject({ status: "rolled_back" });
    expectError(await h.call({ method: "POST", url: `/api/v1/apps/${id}/aws/policy/rollback` }), 409, "conflict");
  });

  it("refuses a document that is not JSON with its position, and an unknown app", async () => {
    const bad = await h.call({
      method: "POST",
      url: `/api/v1/apps/${id}/aws/policy/audit`,
      body: { document: '{"Version": "2012-10-17" "Statement": []}' },
    });
    const body = expectError(bad, 400, "validation_failed");
    expect(body.message).toBe("document is not JSON: CommaExpected at line 1, column 26");
    expectError(
      await h.call({ method: "POST", url: "/api/v1/apps/nope/aws/policy/audit", body: {} }),
      404,
      "not_found",
    );
  });
});
