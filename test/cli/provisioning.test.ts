import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { startScimmyServer } from "../helpers/scimmy-server.js";
import { rolebridge, tempDir } from "./run.js";

const dir = tempDir();
let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ fixture: "demo" });
});
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});
const run = (args: string[], stdin?: string) => rolebridge([...args, "--data-dir", dir], { stdin });

describe("rolebridge provisioning", () => {
  it("creates an Identity Center app, stores its token, syncs, and a dry run then reports no difference", async () => {
    const baseUrl = sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId);
    expect(
      (
        await run([
          "users",
          "create",
          "--login",
          "ann@example.com",
          "--email",
          "ann@example.com",
          "--first-name",
          "Ann",
          "--last-name",
          "Lee",
        ])
      ).code,
    ).toBe(0);
    const group = JSON.parse((await run(["groups", "create", "--name", "cloud-admins", "--json"])).stdout) as {
      id: string;
    };
    await run(["groups", "add-member", group.id, "ann@example.com"]);
    const slash = await run([
      "apps",
      "create",
      "--type",
      "aws-iam-identity-center",
      "--slug",
      "aws-sso-x",
      "--label",
      "SSO",
      "--base-url",
      `${baseUrl}/`,
    ]);
    expect(slash.code).toBe(2);
    expect(slash.stderr).toContain("remove the trailing slash");
    const settings = JSON.stringify({ pushGroups: [group.id] });
    const created = await run([
      "apps",
      "create",
      "--type",
      "aws-iam-identity-center",
      "--slug",
      "aws-sso-demo",
      "--label",
      "AWS IAM Identity Center",
      "--base-url",
      baseUrl,
      "--settings",
      settings,
    ]);
    expect(created.code).toBe(0);
    expect((await run(["provisioning", "token", "--app", "aws-sso-demo"], DEMO_IDENTITY_CENTER.scimToken)).code).toBe(
      0,
    );
    expect((await run(["provisioning", "test", "--app", "aws-sso-demo"])).stdout).toBe(
      "OK: the target accepted the token\n",
    );
    expect((await run(["apps", "assign", "aws-sso-demo", "--group", group.id])).code).toBe(0);

    const dry = await run(["provisioning", "sync", "--app", "aws-sso-demo", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("(ann@example.com)");
    // Issue 16: off until enabled, so the admin could dry-run first; the refusal says what to do.
    const off = await run(["provisioning", "sync", "--app", "aws-sso-demo"]);
    expect(off.code).toBe(4);
    expect(off.stderr).toContain("provisioning to aws-sso-demo is disabled");
    expect(off.stderr).toContain("rolebridge provisioning enable --app aws-sso-demo");
    const enabled = await run(["provisioning", "enable", "--app", "aws-sso-demo"]);
    expect([enabled.code, enabled.stdout]).toEqual([
      0,
      "Provisioning to aws-sso-demo is enabled: a full sync is queued and changes are sent as they happen.\n",
    ]);
    const synced = await run(["provisioning", "sync", "--app", "aws-sso-demo"]);
    expect(synced.code).toBe(0);
    expect(synced.stdout).toMatch(/2 applied, 0 failed/);
    const after = await run(["provisioning", "sync", "--app", "aws-sso-demo", "--dry-run"]);
    expect(after.stdout).toBe("Nothing to do: aws-sso-demo is in sync (1 person, 1 group).\n");
    const again = await run(["provisioning", "sync", "--app", "aws-sso-demo"]);
    expect([again.code, again.stdout]).toEqual([0, "Nothing to do: aws-sso-demo is in sync (1 person, 1 group).\n"]);
    const retried = await run(["provisioning", "retry", "--app", "aws-sso-demo"]);
    expect([retried.code, retried.stdout]).toEqual([0, "0 in error before, 0 after.\n"]);
    const refused = await run(["provisioning", "delete-user", "--app", "aws-sso-demo", "--user", "ann@example.com"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/unassign ann@example.com from aws-sso-demo first/);
    const status = JSON.parse((await run(["provisioning", "status", "--app", "aws-sso-demo", "--json"])).stdout) as {
      kind: string;
      status: string;
    }[];
    expect(status.map((o) => [o.kind, o.status])).toEqual([
      ["group", "active"],
      ["user", "active"],
    ]);
  }, 120_000);

  it("creates a generic-scim2 app from the CLI with a base URL and token, and provisions a third-party SCIM server", async () => {
    const scimmy = await startScimmyServer();
    try {
      const settings = JSON.stringify({ pushGroups: [] });
      const created = await run([
        "apps",
        "create",
        "--type",
        "generic-scim2",
        "--slug",
        "scim-any",
        "--label",
        "Any SCIM 2.0 server",
        "--base-url",
        scimmy.baseUrl,
        "--settings",
        settings,
        "--json",
      ]);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        slug: "scim-any",
        type: "generic-scim2",
        provisioning: { enabled: false },
      });
      expect((await run(["provisioning", "token", "--app", "scim-any"], scimmy.token)).code).toBe(0);
      expect((await run(["provisioning", "test", "--app", "scim-any"])).stdout).toBe(
        "OK: the target accepted the token\n",
      );
      expect((await run(["apps", "assign", "scim-any", "--user", "ann@example.com"])).code).toBe(0);
      const enabled = await run(["provisioning", "enable", "--app", "scim-any", "--json"]);
      expect(JSON.parse(enabled.stdout)).toEqual({ app: "scim-any", provisioning: { enabled: true } });
      const synced = await run(["provisioning", "sync", "--app", "scim-any"]);
      expect(synced.code).toBe(0);
      expect([...scimmy.users.values()].map((u) => u.userName)).toEqual(["ann@example.com"]);
      const after = await run(["provisioning", "sync", "--app", "scim-any", "--dry-run"]);
      expect([after.code, after.stdout]).toEqual([0, "Nothing to do: scim-any is in sync (1 person, 0 groups).\n"]);
    } finally {
      await scimmy.close();
    }
  }, 120_000);
});
