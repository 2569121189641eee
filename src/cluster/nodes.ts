import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** bin/rolebridge.js, two levels up from src/cluster/ and from dist/cluster/ alike (it runs dist/). */
export const ROLEBRIDGE_BIN = fileURLToPath(new URL("../../bin/rolebridge.js", import.meta.url));

/** A free loopback port, known before the process that will use it starts (HAProxy's config names it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

/** Polls `url` until it answers 200 (or `timeoutMs` passes). */
export async function waitForOk(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < until) {
    if (!alive()) throw new Error(`${url}: the process exited before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await delay(100);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms (${last})`);
}

/** One `rolebridge serve` child process on a fixed loopback port; it can be killed and started again. */
export class ClusterNode {
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    /** Node.js flags for the process, e.g. --cpu-prof to profile a node under load. */
    private readonly nodeArgs: string[] = [],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(readyTimeoutMs = 30_000): Promise<void> {
    if (this.running) return;
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: "a" });
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, ROLEBRIDGE_BIN, "serve", "--host", "127.0.0.1", "--port", String(this.port)],
      {
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = once(child, "exit").then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    await waitForOk(`${this.url}/readyz`, readyTimeoutMs, () => this.running);
  }

  /** Sends `signal` and waits for the process to end. SIGKILL is `kill -9`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 60_000) {
    if (!this.child || !this.exited) return { code: null, signal: null };
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child?.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
