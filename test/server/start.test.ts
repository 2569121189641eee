import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { openRuntime } from "../../src/runtime.js";
import { startServer } from "../../src/server/start.js";
import { backends } from "../helpers/backends.js";

describe("startServer", () => {
  it("listens on the given host and port, serves, and on close drains and closes the store", async () => {
    const opened = await backends[0]!.open();
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir: opened.dataDir, logLevel: "silent" } });
      const runtime = await openRuntime(config);
      const server = await startServer(runtime, { host: "127.0.0.1", port: 0 });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
      const unauthorized = await fetch(`${server.url}/api/v1/users`);
      expect(unauthorized.status).toBe(401);

      await Promise.all([server.close(), server.close()]);
      await expect(runtime.store.ping()).rejects.toThrow();
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    } finally {
      await opened.cleanup();
    }
  });

  it("lets an in-flight request finish before closing the store", async () => {
    const opened = await backends[0]!.open();
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir: opened.dataDir, logLevel: "silent" } });
      const base = await openRuntime(config);
      // A readiness probe that stays in flight until the test lets it go.
      let reached!: () => void;
      const inHandler = new Promise<void>((resolve) => {
        reached = resolve;
      });
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const store = {
        ...base.store,
        async ping() {
          reached();
          await released;
          await base.store.ping();
        },
      };
      const server = await startServer({ ...base, store }, { host: "127.0.0.1", port: 0 });
      const inFlight = fetch(`${server.url}/readyz`);
      await inHandler;
      const closing = server.close();
      release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok", checks: { store: "ok" } });
      await closing;
      await expect(base.store.ping()).rejects.toThrow();
    } finally {
      await opened.cleanup();
    }
  });

  it("on close goes not-ready first and keeps serving for the drain time, then closes", async () => {
    const opened = await backends[0]!.open();
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir: opened.dataDir, logLevel: "silent" } });
      const runtime = await openRuntime(config);
      const server = await startServer(runtime, { host: "127.0.0.1", port: 0, drainMs: 3_000 });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      let closed = false;
      const closing = server.close().then(() => {
        closed = true;
      });
      // Draining: the balancer's probe is told to take us out, but a request it still sends is served.
      const probe = await fetch(`${server.url}/readyz`);
      expect(probe.status).toBe(503);
      expect(await probe.json()).toEqual({ status: "unavailable", checks: { store: "draining" } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/api/v1/users`)).status).toBe(401);
      expect(closed).toBe(false);
      await closing;
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
      await expect(runtime.store.ping()).rejects.toThrow();
    } finally {
      await opened.cleanup();
    }
  });

  it("shuts down cleanly on SIGTERM when asked to handle signals", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "rb-serve-"));
    const script = fileURLToPath(new URL("./fixtures/serve.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, dataDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [url] = (await once(lines, "line")) as [string];
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code, signal] = (await exited) as [number | null, string | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("reports a port already in use and leaves the runtime open for its owner", async () => {
    const opened = await backends[0]!.open();
    try {
      const config = loadConfig({ env: {}, overrides: { dataDir: opened.dataDir, logLevel: "silent" } });
      const first = await startServer(await openRuntime(config), { host: "127.0.0.1", port: 0 });
      const second = await openRuntime(config);
      try {
        const port = Number(new URL(first.url).port);
        await expect(startServer(second, { host: "127.0.0.1", port })).rejects.toThrow(/EADDRINUSE|in use/);
        await expect(second.store.ping()).resolves.toBeUndefined();
      } finally {
        await second.close();
        await first.close();
      }
    } finally {
      await opened.cleanup();
    }
  });
});
