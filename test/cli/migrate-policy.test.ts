import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../../src/sandbox/demo.js";
import { BIN, cleanEnv, lastLine, rolebridge, tempDir } from "./run.js";

const dir = tempDir("rb-policy-");
let server: ReturnType<typeof spawn> | undefined;

/** `serve --demo` on free ports; resolves once the demo (sandbox and apps) is seeded and the server listens. */
function serveDemo(): Promise<void> {
  server = spawn(process.execPath, [BIN, "serve", "--demo", "--port", "0", "--data-dir", dir, "--json"], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  server.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((done, fail) => {
    server?.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"url"')) done();
    });
    server?.on("exit", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}

const run = (...args: string[]) => rolebridge([...args, "--data-dir", dir]);

beforeAll(serveDemo, 120_000);
afterAll(() => {
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe("rolebridge migrate policy on a fresh serve --demo data dir", () => {
  it("audit --json prints the findings, one for the wildcard AssumeRole", async () => {
    const audit = await run("migrate", "policy", "audit", "--app", "aws-legacy", "--json");
    expect(audit.code, audit.stderr).toBe(0);
    const findings = JSON.parse(audit.stdout) as Array<{ severity: string; code: string; message: string }>;
    expect(Array.isArray(findings)).toBe(true);
    for (const f of findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(["severity", "code", "message"]));
    expect(findings).toContainEqual(
      expect.objectContaining({
        severity: "high",
        code: "assume_role_wildcard",
        message: expect.stringContaining('sts:AssumeRole on "*"'),
      }),
    );
  });

  it("audit --file audits a document; a broken one is refused with its position", async () => {
    const file = join(dir, "policy.json");
    writeFileSync(
      file,
      JSON.stringify(
        {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/Okta-Idp-cross-acount-role" },
          ],
        },
        null,
        2,
      ),
    );
    const audit = await run("migrate", "policy", "audit", "--file", file, "--app", "aws-legacy", "--json");
    expect(audit.code, audit.stderr).toBe(0);
    expect((JSON.parse(audit.stdout) as Array<{ code: string }>).map((f) => f.code)).toEqual(
      expect.arrayContaining(["assume_role_wildcard", "unknown_role", "integration_call_denied"]),
    );
    writeFileSync(file, '{"Version": "2012-10-17", "Statement": [}');
    const broken = await run("migrate", "policy", "audit", "--file", file, "--app", "aws-legacy", "--json");
    expect(broken.code).toBe(2);
    // With --json the error is one JSON object on stderr's last line.
    expect(JSON.parse(lastLine(broken.stderr))).toMatchObject({
      code: "validation_failed",
      message: "policy.json is not JSON: ValueExpected at line 1, column 41",
      details: { problems: [{ line: 1, column: 41 }] },
    });
  });

  it("fix needs --yes; fix --yes applies the narrowed policy; rollback --yes restores it", async () => {
    const refused = await run("migrate", "policy", "fix", "--app", "aws-legacy");
    expect(refused.code).toBe(2);
    const dry = await run("migrate", "policy", "fix", "--app", "aws-legacy", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^- +"Resource": "\*"$/m);
    expect(dry.stdout).toMatch(/999999999999 +sts:AssumeRole .* deny +ImplicitlyDenied +yes/);
    const fixed = await run("migrate", "policy", "fix", "--app", "aws-legacy", "--yes");
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain("Applied and verified");
    const after = await run("migrate", "policy", "audit", "--app", "aws-legacy", "--json", "--fail-on", "high");
    expect(after.code, after.stdout).toBe(0);
    const log = await run("log", "--json");
    expect(log.stdout).toContain("application.aws.policy.fix");
    // The migration's report carries the policy diff when both are used.
    const report = await run("migrate", "report", "--from", "aws-legacy", "--to", "aws-groups", "--offline");
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain("IAM policy of the legacy API user");
    expect(report.stdout).toMatch(/^- +"Resource": "\*"$/m);
    expect(report.stdout).toMatch(/^\+ .*Okta-Idp-cross-account-role/m);
    const back = await run("migrate", "policy", "rollback", "--app", "aws-legacy", "--yes");
    expect(back.code, back.stderr).toBe(0);
    const again = await run("migrate", "policy", "audit", "--app", "aws-legacy", "--json", "--fail-on", "high");
    expect(again.code).toBe(1);
  });

  it("--admin-from-env reads the policy with the standard AWS variables, and says what is missing without them", async () => {
    const args = ["migrate", "policy", "audit", "--app", "aws-legacy", "--json", "--admin-from-env", "--data-dir", dir];
    const keys = { AWS_ACCESS_KEY_ID: DEMO.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: DEMO.admin.secretAccessKey };
    const audit = await rolebridge(args, { env: keys });
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toContainEqual(expect.objectContaining({ code: "assume_role_wildcard" }));
    const missing = await rolebridge(args, { env: { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admin-from-env needs AWS_ACCESS_KEY_ID/);
  });

  it("with the demo server stopped, the command serves the demo's sandbox itself and still exits 0", async () => {
    const stopped = new Promise((done) => server?.on("exit", done));
    server?.kill("SIGTERM");
    await stopped;
    const fixed = await run("migrate", "policy", "fix", "--app", "aws-legacy", "--yes");
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain("the demo's AWS sandbox was not running");
  });
});
