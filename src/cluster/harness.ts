import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { loadConfig } from "../config/load.js";
import { cliActor } from "../core/audit.js";
import { seedAwsDemo } from "../demo/aws.js";
import { seedIdentityCenterDemo } from "../demo/identity-center.js";
import { seedDemo } from "../demo/seed.js";
import { openRuntime } from "../runtime.js";
import { type SandboxHandle, startSandbox } from "../sandbox/index.js";
import { type ClusterDatabase, createClusterDatabase } from "./database.js";
import { type DatabaseProxy, startDatabaseProxy } from "./database-proxy.js";
import { startHaproxy } from "./haproxy.js";
import { ClusterNode, freePort, waitForOk } from "./nodes.js";

export interface ClusterOptions {
  nodes: number;
  /** HAProxy's loopback port; 0 (default) picks a free one. */
  port?: number;
  /** The sandbox's port; 0 (default) picks a free one. */
  sandboxPort?: number;
  /** HAProxy's health-check interval and fall count: a node leaves within about interval × fall. */
  checkIntervalMs?: number;
  fall?: number;
  /** The nodes' ROLEBRIDGE_DRAIN_SECONDS: longer than interval × fall, so a stopping node is out before it closes. */
  drainSeconds?: number;
  logLevel?: string;
  /** The PostgreSQL server to create the throwaway database on (CREATE DATABASE rights). */
  pgAdminUrl?: string;
  /** Put a TCP proxy between the nodes and PostgreSQL, so a test can take the database down and up again. */
  databaseProxy?: boolean;
  /** Node.js flags for every node process, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]. */
  nodeArgs?: string[];
  /** Keep the run's directory (configs, logs) after stop, e.g. to read why a test failed. */
  keepDir?: boolean;
}

export interface Cluster {
  /** Through HAProxy: what people, AWS and the tests use (also every node's ROLEBRIDGE_PUBLIC_URL). */
  url: string;
  nodes: ClusterNode[];
  sandbox: SandboxHandle;
  database: ClusterDatabase;
  /** With `databaseProxy`: the nodes reach the database only through it. */
  databaseProxy?: DatabaseProxy;
  /** An admin API token made while seeding (stored hashed like any other). */
  apiToken: string;
  /** The run's directory: haproxy.cfg, haproxy.log, one log per node. */
  dir: string;
  /** Starts every node that is not running (after a test killed one) and waits until each is ready. */
  ensureAllRunning(): Promise<void>;
  /** Stops HAProxy, every node (SIGTERM), the sandbox; drops the database. Idempotent. */
  stop(): Promise<void>;
}

/** Node settings every process inherits unless the harness sets them: none, so a developer's shell cannot leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("ROLEBRIDGE_") && k !== "DATABASE_URL" && k !== "NODE_ENV") env[k] = v;
  }
  return env;
}

/**
 * N `rolebridge serve` processes on one throwaway PostgreSQL database behind HAProxy, with the AWS sandbox
 * beside them (in this process: the demo's Identity Center and IAM are wired to it, and tests read its state).
 * The demo data is loaded once into the fresh database, before any node starts.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 16)
    throw new Error("--nodes must be a whole number from 1 to 16");
  const dir = mkdtempSync(join(tmpdir(), "rb-cluster-"));
  const started: {
    haproxy?: ChildProcess;
    sandbox?: SandboxHandle;
    db?: ClusterDatabase;
    proxy?: DatabaseProxy;
    nodes: ClusterNode[];
  } = { nodes: [] };
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const proxy = started.haproxy;
      if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
        proxy.kill("SIGTERM");
        await once(proxy, "exit");
      }
      await Promise.allSettled(started.nodes.map((n) => n.stop("SIGTERM")));
      await started.sandbox?.close();
      await started.proxy?.close();
      await started.db?.drop();
      if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const db = await createClusterDatabase(options.pgAdminUrl);
    started.db = db;
    const port = options.port || (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const masterKey = randomBytes(32).toString("base64");
    const logLevel = options.logLevel ?? "warn";
    const sandbox = await startSandbox({
      port: options.sandboxPort ?? 0,
      fixture: "demo",
      logger: pino({ level: logLevel }, process.stderr),
    });
    started.sandbox = sandbox;

    // The demo, once, through a runtime configured exactly like the nodes (same key, same public URL).
    const seedConfig = loadConfig({
      env: {},
      overrides: { databaseUrl: db.url, masterKey, publicUrl: url, dataDir: join(dir, "seed"), logLevel: "warn" },
    });
    const rt = await openRuntime(seedConfig);
    let apiToken: string;
    try {
      await seedDemo(rt, cliActor());
      await seedAwsDemo(rt, sandbox, cliActor());
      await seedIdentityCenterDemo(rt, sandbox, cliActor());
      apiToken = (await rt.tokens.create(cliActor(), { name: "cluster harness" })).secret;
    } finally {
      await rt.close();
    }

    let nodesDatabaseUrl = db.url;
    if (options.databaseProxy) {
      const direct = new URL(db.url);
      started.proxy = await startDatabaseProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      direct.hostname = "127.0.0.1";
      direct.port = String(started.proxy.port);
      nodesDatabaseUrl = direct.toString();
    }
    const env = {
      ...cleanEnv(),
      DATABASE_URL: nodesDatabaseUrl,
      ROLEBRIDGE_MASTER_KEY: masterKey,
      ROLEBRIDGE_PUBLIC_URL: url,
      ROLEBRIDGE_TRUST_PROXY: "true",
      ROLEBRIDGE_LOG_LEVEL: logLevel,
      ROLEBRIDGE_DRAIN_SECONDS: String(options.drainSeconds ?? 2),
    };
    const nodes: ClusterNode[] = [];
    for (let i = 1; i <= options.nodes; i++) {
      const name = `node${i}`;
      nodes.push(
        new ClusterNode(
          name,
          await freePort(),
          { ...env, ROLEBRIDGE_DATA_DIR: join(dir, name) },
          dir,
          options.nodeArgs,
        ),
      );
    }
    started.nodes = nodes;
    await Promise.all(nodes.map((n) => n.start()));

    const haproxy = startHaproxy(dir, {
      port,
      nodePorts: nodes.map((n) => n.port),
      checkIntervalMs: options.checkIntervalMs ?? 500,
      fall: options.fall ?? 2,
    });
    started.haproxy = haproxy;
    try {
      await waitForOk(`${url}/readyz`, 15_000, () => haproxy.exitCode === null);
    } catch (err) {
      // Say why in HAProxy's words (a port in use, a config it refuses), not just "not ready".
      let log = "";
      try {
        log = readFileSync(join(dir, "haproxy.log"), "utf8").trim().split("\n").slice(-5).join("\n");
      } catch {}
      throw new Error(`HAProxy on port ${port} did not become ready: ${(err as Error).message}\n${log}`);
    }

    return {
      url,
      nodes,
      sandbox,
      database: db,
      ...(started.proxy ? { databaseProxy: started.proxy } : {}),
      apiToken,
      dir,
      async ensureAllRunning() {
        await Promise.all(nodes.filter((n) => !n.running).map((n) => n.start()));
        // HAProxy puts a node back after one good check.
        await new Promise((r) => setTimeout(r, (options.checkIntervalMs ?? 500) * 2));
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
