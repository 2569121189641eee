import { type Command, InvalidArgumentError } from "commander";
import { cliActor } from "../../core/audit.js";
import { DEMO_ADMIN, DEMO_PEOPLE, DEMO_USER_PASSWORD, seedDemo } from "../../demo/seed.js";
import { openRuntime } from "../../runtime.js";
import { type CommonOptions, configFrom, withCommonOptions } from "../context.js";
import { printLine } from "../output.js";

interface ServeOptions extends CommonOptions {
  port?: number;
  host?: string;
  demo?: boolean;
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
    // Loaded here, not at the top, so the other commands do not pay for the HTTP stack.
    const { startServer } = await import("../../server/start.js");
    const rt = await openRuntime(config);
    let url: string;
    try {
      if (opts.demo) await seedDemo(rt, cliActor());
      // The server drains in-flight requests and closes the store on SIGINT/SIGTERM.
      ({ url } = await startServer(rt, { host: config.host, port: config.port, handleSignals: true }));
    } catch (err) {
      await rt.close();
      throw err;
    }
    if (opts.json) {
      // One line, so a supervisor or test can read the URL without parsing prose.
      const demo = opts.demo ? { admin: DEMO_ADMIN, userPassword: DEMO_USER_PASSWORD } : undefined;
      const backend = config.databaseUrl ? "postgres" : "sqlite";
      return printLine(JSON.stringify({ url, backend, dataDir: config.dataDir, demo }));
    }
    const backend = config.databaseUrl ? "PostgreSQL" : `SQLite in ${config.dataDir}`;
    printLine(`rolebridge is listening on ${url} (${backend})`);
    if (opts.demo) printDemoHelp(url, config.dataDir);
  });
}
