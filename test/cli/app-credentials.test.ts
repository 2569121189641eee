import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
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

describe("rolebridge apps keys and apps aws", () => {
  it("rotates signing keys: add next, activate, retire the previous one", async () => {
    expect((await run(["apps", "create", "--slug", "aws-keys", "--label", "AWS"])).code).toBe(0);
    expect((await run(["apps", "keys", "add", "aws-keys", "--bits", "3072"])).code).toBe(0);
    const keys = () =>
      run(["apps", "keys", "list", "aws-keys", "--json"]).then(
        (r) => JSON.parse(r.stdout) as { id: string; state: string; bits: number }[],
      );
    expect((await keys()).map((k) => [k.state, k.bits])).toEqual([
      ["active", 2048],
      ["next", 3072],
    ]);
    expect((await run(["apps", "keys", "activate", "aws-keys"])).code).toBe(0);
    const previous = (await keys()).find((k) => k.state === "previous")!;
    expect((await run(["apps", "keys", "retire", "aws-keys", previous.id])).code).toBe(0);
    expect((await keys()).map((k) => k.state)).toEqual(["retired", "active"]);
    const metadata = await run(["saml", "metadata", "--app", "aws-keys"]);
    expect(metadata.stdout.match(/<ds:X509Certificate>/g)).toHaveLength(1);
  });

  it("stores IAM keys from stdin, tests them and refreshes role lists from the sandbox", async () => {
    const keys = sandbox.credentials.find((c) => c.userName === "okta-api-user")!;
    const settings = JSON.stringify({
      defaultSamlProviderName: "okta",
      api: { enabled: true, endpointUrl: sandbox.url, connectedAccountIds: sandbox.accounts.map((a) => a.id) },
    });
    expect(
      (await run(["apps", "create", "--slug", "aws-api", "--label", "AWS API", "--settings", settings])).code,
    ).toBe(0);
    const noSecret = await run(["apps", "aws", "credentials", "aws-api", "--access-key-id", keys.accessKeyId]);
    expect([noSecret.code, noSecret.stderr]).toEqual([2, "rolebridge: pipe the secret access key on stdin\n"]);
    expect(
      (await run(["apps", "aws", "credentials", "aws-api", "--access-key-id", keys.accessKeyId], keys.secretAccessKey))
        .code,
    ).toBe(0);
    const tested = await run(["apps", "aws", "test", "aws-api"]);
    expect(tested.stdout).toBe(`OK: ${keys.userArn} in account ${keys.accountId}\n`);
    const refreshed = await run(["apps", "aws", "refresh", "aws-api", "--json"]);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ status: "ok" });
    const roles = await run(["apps", "aws", "roles", "aws-api"]);
    expect(roles.stdout).toContain("northamerica-production  arn:aws:iam::222233334444:role/Admin");
    // Issue 16: roles no SAML provider can assume are left out, and said to be.
    expect(roles.stdout).not.toContain("role/OrganizationAccountAccessRole");
    expect(roles.stdout).toMatch(/\n\d+ role\(s\) no SAML provider can assume are not shown \(--all shows them\)\.\n$/);
    const all = await run(["apps", "aws", "roles", "aws-api", "--all"]);
    expect(all.stdout).toContain(
      "northamerica-production  arn:aws:iam::222233334444:role/OrganizationAccountAccessRole  (NOT SAML)",
    );
    const log = await run(["log", "--json"]);
    expect(log.stdout).not.toContain(keys.secretAccessKey);
  });
});
