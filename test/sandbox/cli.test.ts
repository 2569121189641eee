import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Runs the CLI from source (tsx), as `rolebridge sandbox` would run from dist/. */
function rolebridge(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "src/cli/index.ts", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Waits for a pattern on a child's output without closing the pipe (a closed pipe would kill the child on EPIPE). */
function firstMatch(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    stream.on("data", (chunk) => {
      buffer += String(chunk);
      const match = pattern.exec(buffer);
      if (match) resolve(match);
    });
    stream.on("end", () => reject(new Error(`stream ended without ${pattern}: ${buffer}`)));
  });
}

describe("rolebridge sandbox", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("serves on the printed loopback URL and shuts down cleanly on SIGTERM", async () => {
    child = rolebridge(["sandbox", "--port", "0", "--fixture", "demo", "--log-level", "silent"]);
    const [, url] = await firstMatch(child.stdout!, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it("refuses a bad fixture with one line and exit code 2", async () => {
    child = rolebridge(["sandbox", "--port", "0", "--fixture", "/nonexistent/fixture.json"]);
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toBe("rolebridge: fixture /nonexistent/fixture.json: cannot read /nonexistent/fixture.json\n");
  });
});
