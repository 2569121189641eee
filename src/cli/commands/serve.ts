import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { cliActor } from "../../core/audit.js";
import { DEMO_ADMIN, DEMO_PEOPLE, DEMO_USER_PASSWORD, seedDemo } from "../../demo/seed.js";
import type { SandboxHandle } from "../../sandbox/index.js";
import { type CommonOptions, configFrom, withCommonOptions } from "../context.js";
import { CliError, printLine } from "../output.js";

interface ServeOptions extends CommonOptions {
  port?: number;
  host?: string;
  demo?: boolean;
  yesIKnow?: boolean;
  sandboxPort?: number;
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

/**
 * The demo's passwords are published: an administrator with a known password is harmless on a laptop and
 * a gift anywhere else. Refused in production and on a host others can reach, unless the caller says so.
 */
function assertDemoIsSafe(config: { env: string; host: string }, consent: boolean): void {
  if (consent) return;
  if (config.env === "production") {
    throw new CliError(
      "--demo creates accounts with published passwords and is refused in production mode; add --yes-i-know to run it anyway",
    );
  }
  if (!LOOPBACK_HOST.test(config.host)) {
    throw new CliError(
      `--demo creates accounts with published passwords and is refused on ${config.host}, which other machines can reach; ` +
        "listen on 127.0.0.1, or add --yes-i-know",
    );
  }
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number 0-65535");
  return n;
};

function printDemoHelp(url: string, dataDir: string, sandbox: SandboxHandle): void {
  printLine();
  printLine(`The demo is ready. Sign in at ${url}/login as a person and open an AWS tile:`);
  printLine(`  alice@example.com   several roles (group mapping)  -> AWS's role picker`);
  printLine(`  dave@example.com    one role (group mapping)       -> straight to the AWS console`);
  printLine(`  bob@example.com     roles from the legacy API-mode app (tile "AWS (legacy API mode)")`);
  printLine(`  password for everyone: ${DEMO_USER_PASSWORD}`);
  printLine(`People: ${DEMO_PEOPLE.map((p) => p.profile.login).join(", ")}.`);
  printLine(`Administrator: ${DEMO_ADMIN.login} / ${DEMO_ADMIN.password} — the admin console is at ${url}/admin`);
  printLine("An API token for the admin API:");
  printLine(`  npx rolebridge token create --data-dir ${dataDir} --name demo`);
  printLine(`  curl -H "Authorization: Bearer <token>" ${url}/api/v1/apps`);
  printLine(
    `Why does alice get her roles?  npx rolebridge explain --data-dir ${dataDir} --app aws-demo --user alice@example.com`,
  );
  printLine(`  erin@example.com    tile "AWS IAM Identity Center" -> the Identity Center access portal`);
  printLine(`IAM Identity Center: everyone is provisioned to the sandbox's instance by app aws-sso-demo;`);
  printLine(
    `  npx rolebridge provisioning sync --data-dir ${dataDir} --app aws-sso-demo --dry-run   # nothing to send`,
  );
  printLine(`AWS sandbox (IAM, STS, Organizations, sign-in, Identity Center): ${sandbox.url}  — see docs/sandbox.md`);
  printLine(`AWS credentials at the terminal (docs/cli-credentials.md):`);
  printLine(`  npx rolebridge aws login --url ${url} --sts-endpoint ${sandbox.url}`);
  printLine();
}

export function registerServeCommand(program: Command): void {
  withCommonOptions(
    program
      .command("serve")
      .description("Run the rolebridge server (SQLite in the data directory, or PostgreSQL with DATABASE_URL)")
      .option("--port <port>", "TCP port (0 picks a free one); default 8080 or ROLEBRIDGE_PORT", port)
      .option("--host <host>", "interface to listen on; default 127.0.0.1 or ROLEBRIDGE_HOST")
      .option("--demo", "also run the AWS sandbox and load demo people, groups and AWS apps (idempotent)")
      .option("--sandbox-port <port>", "with --demo: the sandbox's port (default: the server's port + 1)", port)
      .option("--yes-i-know", "with --demo: run it even in production mode or on a non-loopback host"),
  ).action(async (opts: ServeOptions) => {
    const config = configFrom(opts, { port: opts.port, host: opts.host });
    if (opts.demo) assertDemoIsSafe(config, opts.yesIKnow === true);
    // Loaded here, not at the top, so the other commands do not pay for the HTTP stack and the sandbox.
    const { startServer } = await import("../../server/start.js");
    let sandbox: SandboxHandle | undefined;
    if (opts.demo) {
      const { startSandbox } = await import("../../sandbox/index.js");
      const sandboxPort = opts.sandboxPort ?? (config.port === 0 ? 0 : config.port + 1);
      sandbox = await startSandbox({
        port: sandboxPort,
        host: config.host,
        dataDir: join(config.dataDir, "sandbox"),
        fixture: "demo",
      });
    }
    const { openRuntime } = await import("../../runtime.js");
    const rt = await openRuntime(config);
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      if (opts.demo) await seedDemo(rt, cliActor());
      server = await startServer(rt, { host: config.host, port: config.port });
      // With --port 0 the URL is known only now; links and new apps' entityIDs use it.
      if (!config.publicUrl) rt.publicUrl = server.url;
      // CLI commands on the same store read the public URL from here (entityIDs, printed metadata URLs).
      await rt.store.serverInfo.record({
        node: `${hostname()} ${server.url}`,
        publicUrl: rt.publicUrl,
        listenUrl: server.url,
        dataDir: config.databaseUrl ? null : resolve(config.dataDir),
        startedAt: rt.clock.now().toISOString(),
      });
      if (sandbox) {
        const { seedAwsDemo } = await import("../../demo/aws.js");
        await seedAwsDemo(rt, sandbox, cliActor());
        const { seedIdentityCenterDemo } = await import("../../demo/identity-center.js");
        await seedIdentityCenterDemo(rt, sandbox, cliActor());
      }
    } catch (err) {
      await rt.close();
      await sandbox?.close();
      throw err;
    }
    // The server, then the sandbox, once; a second signal exits at once.
    const { exitOnSignals } = await import("../../server/signals.js");
    exitOnSignals(rt.logger, async () => {
      await server.close();
      await sandbox?.close();
    });
    const { url } = server;
    if (opts.json) {
      // One line, so a supervisor or test can read the URLs without parsing prose.
      const demo = opts.demo
        ? { admin: DEMO_ADMIN, userPassword: DEMO_USER_PASSWORD, sandboxUrl: sandbox?.url }
        : undefined;
      const backend = config.databaseUrl ? "postgres" : "sqlite";
      return printLine(JSON.stringify({ url, backend, dataDir: config.dataDir, demo }));
    }
    const backend = config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDir}`;
    printLine(`rolebridge is listening on ${url} (${backend})`);
    if (sandbox) printDemoHelp(url, config.dataDir, sandbox);
  });
}
