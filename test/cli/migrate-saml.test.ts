import { rmSync } from "node:fs";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { migrateSamlCommand } from "../../src/cli/commands/migrate-saml.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { rolebridge, tempDir } from "./run.js";

/** `saml template|plan|apply`, constructed as the lead will attach it under `migrate`, run in-process. */
const dir = tempDir();
const PROD = "222233334444";
const ADMIN_ROLE = `arn:aws:iam::${PROD}:role/Admin`;
let sandbox: SandboxHandle;
const saved = { ...process.env };

async function saml(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command("rolebridge").exitOverride();
  program.addCommand(migrateSamlCommand());
  let stdout = "";
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(["node", "rolebridge", "saml", ...args, "--data-dir", dir]);
  } finally {
    write.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, exitCode };
}

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: "demo" });
  const admin = sandbox.credentials.find((c) => c.userName === "sandbox-admin")!;
  process.env.AWS_ACCESS_KEY_ID = admin.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = admin.secretAccessKey;
  const settings = {
    useGroupMapping: true,
    appFilter: "active_directory",
    defaultSamlProviderName: "rolebridge-groups",
  };
  const created = await rolebridge(
    [
      "apps",
      "create",
      "--slug",
      "aws-groups",
      "--label",
      "AWS",
      "--settings",
      JSON.stringify(settings),
      "--data-dir",
      dir,
      // No server runs on this data: the public URL is given (the default's value), so the command has nothing to note.
    ],
    { env: { ROLEBRIDGE_PUBLIC_URL: "http://127.0.0.1:8080" } },
  );
  expect(created.stderr).toBe("");
});
afterAll(async () => {
  process.env = saved;
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("rolebridge migrate saml", () => {
  it("prints per-account templates (JSON, YAML from live trust) and the StackSet one", async () => {
    const json = JSON.parse(
      (
        await saml([
          "template",
          "--app",
          "aws-groups",
          "--format",
          "json",
          "--role",
          `arn:aws:iam::${PROD}:role/NewRole`,
        ])
      ).stdout,
    );
    expect(json.Resources.SamlProvider.Properties.Name).toBe("rolebridge-groups");
    expect(json.Resources.RoleNewRole.Properties.AssumeRolePolicyDocument.Statement).toHaveLength(1);

    const live = parse(
      (
        await saml([
          "template",
          "--app",
          "aws-groups",
          "--role",
          ADMIN_ROLE,
          "--from-aws",
          "--endpoint-url",
          sandbox.url,
        ])
      ).stdout,
    );
    const statements = live.Resources.RoleAdmin.Properties.AssumeRolePolicyDocument.Statement;
    expect(statements[0].Principal.Federated).toEqual([
      `arn:aws:iam::${PROD}:saml-provider/okta`,
      `arn:aws:iam::${PROD}:saml-provider/rolebridge`,
    ]);
    expect(statements[1].Principal.Federated).toEqual({ Ref: "SamlProvider" });

    const stackSet = parse((await saml(["template", "--app", "aws-groups", "--format", "stackset"])).stdout);
    expect(stackSet.Transform).toBe("AWS::LanguageExtensions");
    expect(stackSet.Parameters.ProviderName.Default).toBe("rolebridge-groups");
    expect(Object.keys(stackSet.Resources)).toEqual(["SamlProvider", "Fn::ForEach::FederatedRoles"]);
  });

  it("plans, dry-runs without a change, applies, and then plans nothing", async () => {
    const args = ["--app", "aws-groups", "--role", ADMIN_ROLE, "--endpoint-url", sandbox.url];
    const planned = JSON.parse((await saml(["plan", ...args, "--json"])).stdout);
    expect(planned[0].plan.provider.action).toBe("create");
    expect(planned[0].plan.roles[0].action).toBe("add");
    const before = JSON.stringify(sandbox.state().roles);
    const dry = await saml(["apply", "--dry-run", ...args]);
    expect(dry.stdout).toContain(`+ create SAML provider arn:aws:iam::${PROD}:saml-provider/rolebridge-groups`);
    expect(JSON.stringify(sandbox.state().roles)).toBe(before);
    const applied = await saml(["apply", ...args]);
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toContain(`done saml-provider:${PROD}:rolebridge-groups: created`);
    expect(applied.stdout).toContain(`done saml-trust:${PROD}:${ADMIN_ROLE}: added`);
    expect((await saml(["plan", ...args])).stdout).toContain("already trusts the provider");
  });

  it("reports an account it cannot enter and exits with the remote-failure code", async () => {
    const result = await saml([
      "plan",
      "--app",
      "aws-groups",
      "--role",
      ADMIN_ROLE,
      "--endpoint-url",
      sandbox.url,
      "--admin-role",
      "ReadOnly",
    ]);
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toContain(
      `account ${PROD}: AssumeRole into arn:aws:iam::${PROD}:role/ReadOnly failed: AccessDenied`,
    );
  });
});
