import { execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Runs the real binary (built into dist/ by `npm test`) the way a user would. */
export const BIN = resolve(import.meta.dirname, "../../bin/rolebridge.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An environment without the caller's rolebridge settings, so tests see only what they pass. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("ROLEBRIDGE_") && k !== "DATABASE_URL" && k !== "NODE_ENV") env[k] = v;
  }
  return { ...env, ...extra };
}

export function rolebridge(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) {
  return new Promise<CliResult>((done) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: cleanEnv(opts.env) }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
    child.stdin?.end(opts.stdin ?? "");
  });
}

export const tempDir = (prefix = "rb-cli-") => mkdtempSync(join(tmpdir(), prefix));
export const lastLine = (text: string) => text.trimEnd().split("\n").pop() ?? "";

/** Starts `rolebridge serve`, resolves with the URL it prints, and with its exit once signalled. */
export function serve(args: string[]) {
  const child = spawn(process.execPath, [BIN, "serve", ...args], {
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on("exit", (code, signal) => done({ code, signal })),
  );
  const url = new Promise<string>((done, fail) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /rolebridge is listening on (http:\/\/\S+)|^\{"url":"(http:[^"]+)"/m.exec(stdout);
      if (m) done((m[1] ?? m[2])!);
    });
    void exited.then(({ code }) => fail(new Error(`serve exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, exited, output: () => stdout };
}
