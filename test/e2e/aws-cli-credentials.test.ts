import { execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../src/core/audit.js";
import { cliAwsRoles } from "../../src/core/device-auth/aws.js";
import { seedAwsDemo } from "../../src/demo/aws.js";
import { DEMO_USER_PASSWORD, seedDemo } from "../../src/demo/seed.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { buildApp } from "../../src/server/app.js";
import { BIN, type CliResult, cleanEnv, tempDir } from "../cli/run.js";
import { backends } from "../helpers/backends.js";
import { PortalBrowser } from "../helpers/portal-browser.js";
import { offsetClock, testRuntime } from "../helpers/runtime.js";

/** Debian's awscli in CI; AWS_CLI may name another build of the real AWS CLI. */
const AWS_CLI = process.env.AWS_CLI ?? "/usr/bin/aws";

const ALICE_ROLES = {
  "northamerica-production/Admin": "arn:aws:sts::222233334444:assumed-role/Admin/alice@example.com",
  "northamerica-staging/Admin": "arn:aws:sts::333344445555:assumed-role/Admin/alice@example.com",
  "europe-production/ReadOnly": "arn:aws:sts::444455556666:assumed-role/ReadOnly/alice@example.com",
};

/**
 * A person's whole command-line story against a demo server and the sandbox, over HTTP only: sign in with
 * the device flow (approved in the portal as a browser would), credentials for every role, the real AWS CLI
 * through credential_process, the cache, revocation and expiry.
 */
describe("rolebridge aws: command-line credentials end to end", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let url: string;
  const clock = offsetClock();
  const home = tempDir("rb-aws-home-");
  const awsConfig = join(home, "aws-config");
  const env = () =>
    cleanEnv({
      HOME: home,
      XDG_CACHE_HOME: "",
      AWS_CONFIG_FILE: awsConfig,
      AWS_SHARED_CREDENTIALS_FILE: join(home, "aws-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
    });
  const cliDir = join(home, ".rolebridge", "cli");

  const run = (file: string, args: string[]) =>
    new Promise<CliResult>((done) => {
      const child = execFile(file, args, { env: env() }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
      });
      child.stdin?.end();
    });
  const rb = (...args: string[]) => run(process.execPath, [BIN, "aws", ...args]);
  const awsCli = (...args: string[]) => run(AWS_CLI, args);
  const stsCalls = () => sandbox.state().sessions.length;

  /** `aws login` as a person runs it; the browser approves at the printed link. */
  async function login(who: string) {
    const child = spawn(process.execPath, [BIN, "aws", "login", "--url", url, "--sts-endpoint", sandbox.url], {
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const link = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const found = /or open (\S+) directly/.exec(stdout)?.[1];
        if (found) resolve(found);
      });
      child.on("exit", () => reject(new Error(`login exited before printing a link: ${stdout} ${stderr}`)));
    });
    expect(stdout).toMatch(new RegExp(`open ${url}/device and enter the code [A-Z]{4}-[A-Z]{4}`));
    const browser = new PortalBrowser(url);
    await browser.signIn(who, DEMO_USER_PASSWORD);
    expect((await browser.decideDevice(link, "approve")).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(`Signed in as ${who} until `);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!, { cliSignIn: { pollIntervalSeconds: 1 } }, { clock }));
    await seedDemo(runtime, cliActor());
    app = await buildApp(runtime);
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    runtime.publicUrl = url;
    const seeded = await seedAwsDemo(runtime, sandbox, cliActor());
    expect(seeded.samlSetup.filter((r) => r.outcome === "error")).toEqual([]);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await cleanup?.();
  });

  it("without a sign-in, credentials fails at once with one line saying to log in", async () => {
    const res = await rb("credentials", "--url", url, "--role", "northamerica-production/Admin");
    // The exit code of `unauthorized` in the one error table (docs/cli.md).
    expect(res.code).toBe(6);
    expect(res.stdout).toBe("");
    expect(res.stderr.trimEnd().split("\n")).toEqual([
      `rolebridge: you are not signed in; run \`rolebridge aws login --url ${url}\``,
    ]);
  });

  it("signs in with the device flow approved in the portal, and lists every role as alias/role", async () => {
    await login("alice@example.com");
    const roles = await rb("roles", "--json");
    expect(roles.code).toBe(0);
    const listed = JSON.parse(roles.stdout) as { name: string; accountId: string; app: string }[];
    const namesOn = (app: string) =>
      listed
        .filter((r) => r.app === app)
        .map((r) => r.name)
        .sort();
    expect(namesOn("aws-demo")).toEqual(Object.keys(ALICE_ROLES).sort());
    // The demo's legacy app assigns alice roles of her own too (its estate is the migration's example).
    expect(namesOn("aws-legacy")).toEqual([
      "acme-management/Billing.Viewer",
      "europe-production/ReadOnly",
      "northamerica-production/Admin",
    ]);
    expect(listed).toHaveLength(6);
  });

  it("names roles of a legacy API-mode app by the account aliases its role-list refresh found", async () => {
    const bob = await runtime.directory.users.get("bob@example.com");
    const apps = await cliAwsRoles(runtime.store, bob);
    const legacy = apps.find((a) => a.slug === "aws-legacy");
    expect(legacy?.roles.map((r) => r.name).sort()).toEqual([
      "northamerica-production/ReadOnly",
      "northamerica-staging/Admin",
    ]);
  });

  it("prints credential_process JSON for each of alice's roles, and answers the second call from the cache", async () => {
    for (const [name, arn] of Object.entries(ALICE_ROLES)) {
      const before = stsCalls();
      const res = await rb("credentials", "--url", url, "--role", name, "--sts-endpoint", sandbox.url);
      expect(res.stderr).toBe("");
      const creds = JSON.parse(res.stdout);
      expect(Object.keys(creds).sort()).toEqual(
        ["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"].sort(),
      );
      expect(creds.Version).toBe(1);
      expect(creds.AccessKeyId).toMatch(/^ASIA/);
      expect(stsCalls()).toBe(before + 1);
      const session = sandbox.state().sessions.find((s) => s.accessKeyId === creds.AccessKeyId);
      expect(
        `arn:aws:sts::${session?.accountId}:assumed-role/${session?.roleArn.split("/").pop()}/${session?.sessionName}`,
      ).toBe(arn);

      const again = await rb("credentials", "--url", url, "--role", name, "--sts-endpoint", sandbox.url);
      expect(JSON.parse(again.stdout)).toEqual(creds);
      expect(stsCalls()).toBe(before + 1);
    }
    // Every file is the user's alone, and nothing in them is readable without the key.
    const files = [
      ...readdirSync(cliDir).map((f) => join(cliDir, f)),
      ...readdirSync(join(cliDir, "credentials")).map((f) => join(cliDir, "credentials", f)),
    ];
    for (const f of files)
      expect((statSync(f).mode & 0o777).toString(8), f).toBe(statSync(f).isDirectory() ? "700" : "600");
    const sealed = readdirSync(join(cliDir, "credentials")).map((f) => readFileSync(join(cliDir, "credentials", f)));
    expect(sealed).toHaveLength(3);
    for (const s of sealed) expect(s.toString("latin1")).not.toMatch(/ASIA|AccessKeyId/);
  });

  it("the real AWS CLI gets each role's identity through profiles that `configure` writes", async () => {
    writeFileSync(awsConfig, "[default]\nregion = eu-west-1\n\n[profile mine]\noutput = json\n");
    const first = await rb("configure", "--url", url, "--sts-endpoint", sandbox.url, "--region", "us-east-1");
    expect(first.code).toBe(0);
    // Two of alice's roles come through both demo apps: each (app, role) gets its own profile, none rewritten.
    expect(first.stdout).toContain("6 profile(s) added, 0 rewritten.");
    // ... and each of those signs in through its own app; a role with one app needs no --app.
    const line = (profile: string) =>
      new RegExp(`\\[profile ${profile}\\]\\n#.*\\ncredential_process = (.*)\\n`).exec(
        readFileSync(awsConfig, "utf8"),
      )?.[1];
    expect(line("northamerica-production-Admin-aws-demo")).toMatch(/ --app aws-demo( |$)/);
    expect(line("northamerica-production-Admin-aws-legacy")).toMatch(/ --app aws-legacy( |$)/);
    expect(line("northamerica-staging-Admin")).not.toContain("--app");
    const written = readFileSync(awsConfig, "utf8");
    expect(written).toContain("[profile mine]\noutput = json\n");
    expect(written).toContain("[default]\nregion = eu-west-1\n");
    expect((await rb("configure", "--url", url, "--sts-endpoint", sandbox.url, "--region", "us-east-1")).code).toBe(0);
    expect(readFileSync(awsConfig, "utf8")).toBe(written);

    for (const [name, arn] of Object.entries(ALICE_ROLES)) {
      const profile =
        name === "northamerica-staging/Admin" ? "northamerica-staging-Admin" : `${name.replace("/", "-")}-aws-demo`;
      const res = await awsCli(
        "--profile",
        profile,
        "sts",
        "get-caller-identity",
        "--endpoint-url",
        sandbox.url,
        "--region",
        "us-east-1",
        "--output",
        "json",
      );
      // The AWS CLI may warn about its own Python on stderr; what matters is that it succeeded as the role.
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout).Arn).toBe(arn);
    }
  });

  it("exec runs a command with the role's keys, and console signs in through the federation endpoint", async () => {
    const role = "northamerica-staging/Admin";
    const exec = await rb(
      "exec",
      "--role",
      role,
      "--",
      process.execPath,
      "-e",
      "console.log(process.env.AWS_ACCESS_KEY_ID)",
    );
    expect(exec.stdout.trim()).toMatch(/^ASIA/);
    const link = await rb(
      "console",
      "--role",
      "arn:aws:iam::333344445555:role/Admin",
      "--federation-endpoint",
      `${sandbox.url}/signin/signin.aws.amazon.com/federation`,
    );
    expect(link.code).toBe(0);
    const page = await fetch(link.stdout.trim());
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<dd id="role">Admin</dd>');
    expect(html).toContain('<dd id="session-name">alice@example.com</dd>');
  });

  it("a token an administrator revoked is refused: credentials says to log in, and so does the AWS CLI", async () => {
    const { secret } = await runtime.tokens.create(cliActor(), { name: "revoker" });
    const res = await fetch(`${url}/api/v1/users/alice@example.com/cli-sessions`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(await res.json()).toEqual({ revoked: 1 });
    // A call the cache cannot answer (another duration) has to ask the server.
    const refused = await rb("credentials", "--role", "northamerica-production/Admin", "--duration", "1800");
    expect(refused.code).toBe(6);
    expect(refused.stderr.trimEnd().split("\n")).toEqual([
      `rolebridge: your sign-in has ended; run \`rolebridge aws login --url ${url}\``,
    ]);
    const viaAws = await awsCli("--profile", "mine", "sts", "get-caller-identity", "--endpoint-url", sandbox.url);
    expect(viaAws.code).not.toBe(0);
    writeFileSync(
      awsConfig,
      `[profile gone]\ncredential_process = ${process.execPath} ${BIN} aws credentials --role europe-production/ReadOnly --duration 900\n`,
    );
    const cli = await awsCli(
      "--profile",
      "gone",
      "sts",
      "get-caller-identity",
      "--endpoint-url",
      sandbox.url,
      "--region",
      "us-east-1",
    );
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("rolebridge aws login");
  });

  it("an expired session fails fast with the message; logout revokes and clears the cache", async () => {
    await login("alice@example.com");
    const ok = await rb("credentials", "--role", "europe-production/ReadOnly", "--duration", "900");
    expect(ok.code).toBe(0);
    clock.offsetMs = 13 * 3_600_000;
    try {
      const expired = await rb("credentials", "--role", "northamerica-production/Admin", "--duration", "900");
      expect(expired.code).toBe(6);
      expect(expired.stderr).toMatch(/^rolebridge: your sign-in has ended; run `rolebridge aws login --url \S+`\n$/);
    } finally {
      clock.offsetMs = 0;
    }
    await login("alice@example.com");
    // Signing in again ends the sign-in it replaces.
    await login("alice@example.com");
    const out = await rb("logout");
    expect(out.stdout).toContain("Signed out alice@example.com");
    expect(readdirSync(cliDir).sort()).toEqual(["config.json", "key"]);
    const sessions = await runtime.deviceAuth.listForUser((await runtime.directory.users.get("alice@example.com")).id);
    // The admin revoked the first; the second ran out (by the server's clock), so the CLI had forgotten it;
    // the fourth sign-in ended the third, and logout the fourth.
    expect(sessions.map((s) => s.revokedAt !== null)).toEqual([true, false, true, true]);
  });
});
