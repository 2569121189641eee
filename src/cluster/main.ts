/**
 * `npm run cluster -- --nodes 3 --port 8080`: N rolebridge nodes on a throwaway PostgreSQL database behind
 * HAProxy, with the AWS sandbox, in the foreground until SIGINT/SIGTERM; then everything it started is stopped
 * and the database dropped. See docs/scale-out.md.
 */
import { parseArgs } from "node:util";
import { DEMO_ADMIN, DEMO_USER_PASSWORD } from "../demo/seed.js";
import { startCluster } from "./harness.js";

function wholeNumber(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > max) throw new Error(`--${name} must be a whole number from 0 to ${max}, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: "string" },
      port: { type: "string" },
      "sandbox-port": { type: "string" },
      "keep-dir": { type: "boolean" },
      "log-level": { type: "string" },
    },
  });
  const nodes = wholeNumber("nodes", values.nodes, 3, 16);
  if (nodes < 1) throw new Error("--nodes must be at least 1");
  const cluster = await startCluster({
    nodes,
    port: wholeNumber("port", values.port, 0, 65535),
    sandboxPort: wholeNumber("sandbox-port", values["sandbox-port"], 0, 65535),
    keepDir: values["keep-dir"] === true,
    logLevel: values["log-level"] ?? "warn",
  });
  const out = (line = "") => process.stdout.write(`${line}\n`);
  out(`rolebridge cluster: ${nodes} node(s) behind HAProxy at ${cluster.url}`);
  for (const n of cluster.nodes) out(`  ${n.name}  ${n.url}  (pid ${n.pid})`);
  out(`  PostgreSQL database ${cluster.database.name} (dropped on exit)`);
  out(`  AWS sandbox ${cluster.sandbox.url}`);
  out(`  configs and logs in ${cluster.dir}${values["keep-dir"] ? " (kept)" : ""}`);
  out(`Sign in at ${cluster.url}/login as alice@example.com / ${DEMO_USER_PASSWORD};`);
  out(`admin console ${cluster.url}/admin as ${DEMO_ADMIN.login} / ${DEMO_ADMIN.password}. Ctrl-C stops everything.`);

  await new Promise<void>((resolve) => {
    const parent = process.ppid;
    const onStop = (why: string) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      clearInterval(orphaned);
      out(`${why}: stopping HAProxy, the nodes and the sandbox; dropping ${cluster.database.name}`);
      resolve();
    };
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal while stopping means "now".
      process.once(signal, () => process.exit(1));
      onStop(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // `npm run` passes a signal to its shell, which may die without passing it on: a new parent means the
    // one that started us is gone, and we stop as if signalled.
    const orphaned = setInterval(() => {
      if (process.ppid !== parent) onStop("parent process exited");
    }, 500);
  });
  await cluster.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
