import type { Command } from "commander";
import { pino } from "pino";
import type { startSandbox } from "../../sandbox/index.js";
import { CliError, printLine } from "../output.js";

interface SandboxOptions {
  port: string;
  host: string;
  dataDir?: string;
  fixture: string;
  logLevel: string;
}

function parsePort(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new CliError(`--port must be an integer from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

export function registerSandboxCommand(program: Command): void {
  program
    .command("sandbox")
    .description("Serve the local AWS sandbox (IAM, STS, Organizations, sign-in) on loopback")
    .option("--port <port>", "port to listen on (0 picks a free one)", "4566")
    .option("--host <host>", "address to bind; keep it on loopback", "127.0.0.1")
    .option("--data-dir <dir>", "directory for sandbox.db (state survives restarts); in-memory when omitted")
    .option("--fixture <name-or-path>", "fixture that seeds a fresh sandbox: a bundled name or a JSON file", "demo")
    .option("--log-level <level>", "pino log level (silent, error, warn, info, debug)", "info")
    .addHelpText(
      "after",
      "\nPoint AWS clients at the printed endpoint, e.g.\n" +
        "  aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity\n" +
        "See docs/sandbox.md for the demo fixture's credentials and account ids.",
    )
    .action(async (options: SandboxOptions) => {
      const port = parsePort(options.port);
      const logger = pino({ level: options.logLevel }, process.stderr);
      // Loaded only when the sandbox runs: its IAM data and policy engine are heavy for every other command.
      const { FixtureError, startSandbox } = await import("../../sandbox/index.js");
      let sandbox: Awaited<ReturnType<typeof startSandbox>>;
      try {
        sandbox = await startSandbox({
          port,
          host: options.host,
          fixture: options.fixture,
          logger,
          ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        });
      } catch (err) {
        if (err instanceof FixtureError) throw new CliError(err.message);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw new CliError(`port ${port} on ${options.host} is already in use`, "conflict");
        throw err;
      }
      printLine(`rolebridge sandbox listening on ${sandbox.url}`);
      printLine(`  sign-in ACS (commercial): ${sandbox.signinUrl()}`);
      printLine(`  organization ${sandbox.organizationId}, management account ${sandbox.managementAccountId}`);
      for (const { tenantId } of sandbox.identityCenter.admin.listInstances()) {
        const center = sandbox.identityCenter;
        printLine(`  identity center ${tenantId}: SCIM ${center.scimUrl(tenantId)}, ACS ${center.acsUrl(tenantId)}`);
      }
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, "sandbox shutting down");
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          sandbox.close().then(resolve, (err: unknown) => {
            logger.error({ err }, "sandbox did not close cleanly");
            process.exitCode = 1;
            resolve();
          });
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
