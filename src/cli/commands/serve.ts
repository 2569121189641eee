import { type Command, InvalidArgumentError } from "commander";
import { cliActor } from "../../core/audit.js";
import { DEMO_ADMIN, DEMO_PEOPLE, DEMO_USER_PASSWORD, seedDemo } from "../../demo/seed.js";
import { openRuntime, type Runtime } from "../../runtime.js";
import { type CommonOptions, configFrom, withCommonOptions } from "../context.js";
import { CliError, printLine } from "../output.js";

interface ServeOptions extends CommonOptions {
  port?: number;
  host?: string;
  demo?: boolean;
}

interface RunningServer {
  url: string;
  close(): Promise<void>;
}
type StartServer = (
  rt: Runtime,
  opts: { host: string; port: number; handleSignals?: boolean },
) => Promise<RunningServer>;

/** The HTTP server lives in src/server; loaded on demand so the other commands start fast. */
async function loadServer(): Promise<StartServer> {
  const specifier = "../../server/start.js";
  try {
    const mod = (await import(specifier)) as { startServer: StartServer };
    return mod.startServer;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") {
      throw new CliError("this build has no HTTP server (dist/server/start.js is missing)");
    }
    throw err;
  }
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number 0-65535");
  return n;
};

function printDemoHelp(url: string, dataDir: string): void {
  printLine();
  printLine("Demo data is loaded. Sign in to the admin console with:");
  printLine(`  login:    ${DEMO_ADMIN.login}`);
  printLine(`  password: ${DEMO_ADMIN.password}`);
  printLine(`People (${DEMO_PEOPLE.map((p) => p.profile.login).join(", ")}) use the password ${DEMO_USER_PASSWORD}.`);
  printLine("An API token for the admin API:");
  printLine(`  npx rolebridge token create --data-dir ${dataDir} --name demo`);
  printLine(`  curl -H "Authorization: Bearer <token>" ${url}/api/v1/users`);
  printLine();
}

export function registerServeCommand(program: Command): void {
  withCommonOptions(
    program
      .command("serve")
      .description("Run the rolebridge server (SQLite in the data directory, or PostgreSQL with DATABASE_URL)")
      .option("--port <port>", "TCP port (0 picks a free one); default 8080 or ROLEBRIDGE_PORT", port)
      .option("--host <host>", "interface to listen on; default 127.0.0.1 or ROLEBRIDGE_HOST")
      .option("--demo", "load demo users, groups and an admin (idempotent) before serving"),
  ).action(async (opts: ServeOptions) => {
    const config = configFrom(opts, { port: opts.port, host: opts.host });
    const startServer = await loadServer();
    const rt = await openRuntime(config);
    let server: RunningServer;
    try {
      if (opts.demo) await seedDemo(rt, cliActor());
      server = await startServer(rt, { host: config.host, port: config.port, handleSignals: false });
    } catch (err) {
      await rt.close();
      throw err;
    }
    const backend = config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDir}`;
    printLine(`rolebridge is listening on ${server.url} (${backend})`);
    if (opts.demo) printDemoHelp(server.url, config.dataDir);

    let stopping = false;
    const stop = async (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      rt.logger.info({ signal }, "shutting down");
      try {
        // Stop taking requests and finish the ones in flight before the store goes away.
        await server.close();
        await rt.close();
      } catch (err) {
        rt.logger.error({ err }, "shutdown failed");
        process.exitCode = 1;
      }
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
