import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { cleanEnv } from "../cli/run.js";

/**
 * Doc tests: the command blocks of a guide, marked in the markdown itself, run in order in one shell, as a reader
 * would run them in one terminal. Markers (an HTML comment on the line before the fence):
 *
 *   <!-- doctest -->                        run the block; every command in it must succeed
 *   <!-- doctest: exit 2 -->                run it; it must fail with this exit status (a documented refusal)
 *   <!-- doctest: background "<regex>" -->  start it and go on once its output matches (a server, the sandbox)
 *   <!-- doctest: output -->                a ```text block: what the previous block prints, line by line in
 *                                           order, `…` standing for anything
 *   <!-- doctest: file <name> -->           a block the reader saves as <name> (a CSV file, a template)
 *   <!-- not a doctest: <why> -->           a block a reader is not told to run as it stands (a template, an
 *                                           alternative to the block before); every other ```sh block needs a
 *                                           doctest marker, so a new command block cannot slip past the test
 */
export type Block =
  | { kind: "run"; line: number; code: string; exit: number }
  | { kind: "background"; line: number; code: string; ready: RegExp }
  | { kind: "output"; line: number; text: string }
  | { kind: "file"; line: number; name: string; text: string };

export interface Guide {
  file: string;
  blocks: Block[];
  /** ```sh blocks with no marker at all: each is a failure of the guide's test. */
  unmarked: number[];
}

const MARKER = /^<!--\s*(doctest(?::\s*(.*?))?|not a doctest:.*?)\s*-->\s*$/;

export function parseGuide(path: string): Guide {
  const lines = readFileSync(path, "utf8").split("\n");
  const blocks: Block[] = [];
  const unmarked: number[] = [];
  let marker: RegExpExecArray | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim() !== "") marker = MARKER.exec(line.trim());
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end).join("\n");
    const lang = fence[1];
    if (marker?.[1]?.startsWith("doctest")) {
      const arg = (marker[2] ?? "").trim();
      const background = /^background\s+"(.+)"$/.exec(arg);
      const exit = /^exit\s+(\d+)$/.exec(arg);
      const file = /^file\s+([\w.-]+)$/.exec(arg);
      if (arg === "output") blocks.push({ kind: "output", line: i + 1, text: body });
      else if (file) blocks.push({ kind: "file", line: i + 1, name: file[1]!, text: `${body}\n` });
      else if (background)
        blocks.push({ kind: "background", line: i + 1, code: body, ready: new RegExp(background[1]!) });
      else if (arg === "" || exit) blocks.push({ kind: "run", line: i + 1, code: body, exit: Number(exit?.[1] ?? 0) });
      else throw new Error(`${path}:${i}: unknown doctest marker "${arg}"`);
    } else if (!marker && (lang === "sh" || lang === "bash")) unmarked.push(i + 1);
    marker = null;
    i = end;
  }
  return { file: path, blocks, unmarked };
}

/** Every line the guide shows, in order, among the lines printed; `…` stands for any text within a line. */
export function missingOutput(shown: string, printed: string): string[] {
  const printedLines = printed.split("\n");
  let at = 0;
  const missing: string[] = [];
  for (const want of shown.split("\n").filter((l) => l.trim() !== "")) {
    const pattern = new RegExp(`^${want.trim().split("…").map(escapeRegExp).join(".*")}$`);
    const found = printedLines.findIndex((l, i) => i >= at && pattern.test(l.trim()));
    if (found === -1) missing.push(want);
    else at = found + 1;
  }
  return missing;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });

export interface RunResult {
  failed: boolean;
  exit: number;
  stdout: string;
  stderr: string;
}

const BIN = resolve(import.meta.dirname, "../../bin/rolebridge.js");

/**
 * One bash session per guide, in a fresh directory. `npx rolebridge` runs this checkout's build; `export NAME=…`
 * assignments of the variables in `overrides` get the test's value (free ports, throwaway directories) instead.
 */
export class Session {
  private readonly bash: ChildProcessWithoutNullStreams;
  private buffer = "";
  private waiting: ((line: string) => void) | undefined;
  private count = 0;
  private lastLog: string | undefined;

  constructor(
    readonly dir: string,
    private readonly overrides: Record<string, string>,
  ) {
    this.bash = spawn("bash", ["--noprofile", "--norc"], {
      cwd: dir,
      detached: true,
      // Away from the machine's own AWS settings and profile: only what the guide sets counts.
      env: {
        ...Object.fromEntries(Object.entries(cleanEnv()).filter(([name]) => !name.startsWith("AWS_"))),
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        RB_BIN: BIN,
      },
    });
    this.bash.stdout.on("data", (d: Buffer) => {
      this.buffer += d.toString();
      const nl = this.buffer.indexOf("\n");
      if (nl !== -1 && this.waiting) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        this.waiting(line);
      }
    });
    // A block that ends the shell (`exit`) fails, rather than leaving the test waiting for it.
    this.bash.on("exit", () => this.waiting?.("__rb_done 255"));
    this.bash.stdin.write(
      [
        "set -o pipefail -o errtrace",
        "__rb_failed=0",
        "trap '__rb_failed=$?' ERR",
        'npx() { if [ "$1" = rolebridge ]; then shift; node "$RB_BIN" "$@"; else command npx "$@"; fi; }',
        "export -f npx",
        "",
      ].join("\n"),
    );
  }

  private substitute(code: string): string {
    return code.replace(/^\s*export\s.*$/gm, (line) =>
      line.replace(/(^|\s)(\w+)=("[^"]*"|'[^']*'|[^\s#]*)/g, (assignment, space: string, name: string) =>
        name in this.overrides ? `${space}${name}=${this.overrides[name]}` : assignment,
      ),
    );
  }

  private next(): Promise<string> {
    return new Promise((done) => {
      this.waiting = done;
      this.bash.stdout.emit("data", Buffer.alloc(0));
    });
  }

  /** Runs a block in the session (its exports stay), stdin closed; the first failing command's status counts. */
  async run(code: string): Promise<RunResult> {
    const n = ++this.count;
    const [script, out, err] = ["sh", "out", "err"].map((ext) => join(this.dir, `.doctest-${n}.${ext}`)) as [
      string,
      string,
      string,
    ];
    writeFileSync(script, `${this.substitute(code)}\n`);
    this.bash.stdin.write(
      `__rb_failed=0; source ${script} < /dev/null > ${out} 2> ${err}; echo "__rb_done $__rb_failed"\n`,
    );
    const exit = Number((await this.next()).replace("__rb_done ", ""));
    return { failed: exit !== 0, exit, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") };
  }

  /** Saves a block as a file in the session's directory, as the reader would. */
  save(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
  }

  /** Starts a block in the background and resolves once its output matches `ready` (or rejects after 60 s). */
  async start(code: string, ready: RegExp): Promise<string> {
    const n = ++this.count;
    const [script, log] = ["sh", "log"].map((ext) => join(this.dir, `.doctest-${n}.${ext}`)) as [string, string];
    writeFileSync(script, `${this.substitute(code)}\n`);
    writeFileSync(log, "");
    this.bash.stdin.write(`(source ${script}) < /dev/null > ${log} 2>&1 &\n`);
    this.lastLog = log;
    return this.waitForBackground(ready);
  }

  /** Resolves once the latest background block's output matches `ready` (or rejects after 60 s). */
  async waitForBackground(ready: RegExp): Promise<string> {
    const log = this.lastLog;
    if (!log) throw new Error("no background block was started");
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const text = readFileSync(log, "utf8");
      if (ready.test(text)) return text;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the background block never printed ${ready}: ${readFileSync(log, "utf8")}`);
  }

  /** Stops the shell and everything it started (its process group). */
  close(): Promise<void> {
    return new Promise((done) => {
      const exited = this.bash.exitCode !== null || this.bash.signalCode !== null;
      if (!exited) this.bash.on("exit", () => done());
      try {
        // The group outlives the shell when a block ended it: its servers are stopped all the same.
        process.kill(-this.bash.pid!, "SIGTERM");
      } catch {
        // Nothing is left in the group.
      }
      if (exited) done();
    });
  }
}
