/**
 * The contract of `npm run cluster` (node dist/cluster/main.js, which the npm script runs): N nodes behind
 * HAProxy on the given port, /readyz 200 through it, and on SIGTERM everything it started is gone, the
 * throwaway database dropped. Needs dist/ (npm test builds it first).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { freePort } from "../../src/cluster/nodes.js";
import { PG_ADMIN_URL } from "../helpers/backends.js";

const MAIN = fileURLToPath(new URL("../../dist/cluster/main.js", import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm run cluster", () => {
  it("serves /readyz through HAProxy on --port until SIGTERM, then stops all it started and drops its database", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN, "--nodes", "2", "--port", String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const out: string[] = [];
      const ready = new Promise<void>((resolve, reject) => {
        lines.on("line", (line) => {
          out.push(line);
          if (line.startsWith("Sign in at")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before it was ready: ${out.join("\n")}`)));
      });
      await ready;
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok", checks: { store: "ok" } });

      const pids = out.flatMap((l) => /\(pid (\d+)\)/.exec(l)?.[1] ?? []).map(Number);
      expect(pids).toHaveLength(2);
      const database = /PostgreSQL database (rb_cluster_\w+)/.exec(out.join("\n"))?.[1];
      expect(database).toBeDefined();

      const exited = once(child, "exit");
      child.kill("SIGTERM");
      expect(await exited).toEqual([0, null]);
      expect(pids.filter(alive)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/readyz`)).rejects.toThrow();
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      try {
        const left = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
        expect(left.rowCount).toBe(0);
      } finally {
        await admin.end();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 180_000);
});
