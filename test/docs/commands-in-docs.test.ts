import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerCommands } from "../../src/cli/commands/index.js";

/**
 * Every `rolebridge …` command line the docs show — in command blocks and in inline code, synopses included —
 * names a command that exists and only flags that command takes. The guides' doc tests run their blocks; this
 * covers the reference pages too (cli.md, the synopses of migration.md, …), so a renamed command or flag fails here.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);

const program = new Command("rolebridge");
registerCommands(program);

/** Command lines: fenced code (continuations joined) and inline code spans, with where they are. */
function commandLines(file: string): { where: string; line: string }[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const out: { where: string; line: string }[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*```/.test(line)) {
      inFence = !inFence;
      continue;
    }
    const where = `${file}:${i + 1}`;
    if (inFence) {
      while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
      out.push({ where, line: line.replace(/\s#\s.*$/, "") }); // without the shell comment
    } else {
      for (const span of line.matchAll(/`([^`]+)`/g)) out.push({ where, line: span[1]! });
    }
  }
  // Where a command starts: a line's start (after a `$ ` prompt), after npx or node, after | ; & or $(.
  const start = /(?:^\s*(?:\$\s+)?|\bnpx\s+|\bnode\s+\S*\/|[|;&(]\s*)rolebridge(?:\.js)?\s+([a-z][^|;&)]*)/g;
  return out.flatMap(({ where, line }) => [...line.matchAll(start)].map((m) => ({ where, line: m[1]! })));
}

const longFlags = (cmd: Command): string[] => {
  const flags = ["--help"];
  for (let c: Command | null = cmd; c; c = c.parent) flags.push(...c.options.flatMap((o) => (o.long ? [o.long] : [])));
  return flags;
};

/** What is wrong with one command line, or null. */
function check(line: string): string | null {
  const words = line
    .split(/\s+/)
    .map((w) => w.replace(/^[[(]+|[\])]+$/g, ""))
    .filter(Boolean);
  let cmd = program;
  let at = 0;
  for (; at < words.length; at++) {
    const word = words[at]!;
    if (word.startsWith("-") || word.startsWith("<") || word.startsWith("…")) break; // a placeholder
    // `activate|suspend|…`: each alternative must be a subcommand.
    const names = word.split("|");
    const subs = names.map((n) => cmd.commands.find((c) => c.name() === n || c.aliases().includes(n)));
    if (subs.some((s) => s === undefined)) {
      if (cmd === program) return `no command "${word}"`;
      if (cmd.commands.length && !cmd.registeredArguments.length) return `"${cmd.name()}" has no subcommand "${word}"`;
      break;
    }
    if (names.length > 1) return subs.map((s) => checkFlags(s!, words.slice(at + 1))).find(Boolean) ?? null;
    cmd = subs[0]!;
  }
  return checkFlags(cmd, words.slice(at));
}

function checkFlags(cmd: Command, words: string[]): string | null {
  const known = longFlags(cmd);
  for (const word of words) {
    if (word === "--") break;
    for (const alt of word.split("|")) {
      const flag = /^(--[a-z][\w-]*)/.exec(alt)?.[1];
      if (flag && !known.includes(flag)) return `"${commandPath(cmd)}" has no option ${flag}`;
    }
  }
  return null;
}

const commandPath = (cmd: Command): string => (cmd.parent ? `${commandPath(cmd.parent)} ${cmd.name()}` : cmd.name());

describe("rolebridge commands shown in the docs", () => {
  it("are checked: a wrong command, subcommand or option is found", () => {
    expect(check("users create --login a --emial b")).toBe('"rolebridge users create" has no option --emial');
    expect(check("users creat --login a")).toBe('"users" has no subcommand "creat"');
    expect(check("user list")).toBe('no command "user"');
    expect(check("users activate|suspend|frobnicate <id>")).toBe(
      '"users" has no subcommand "activate|suspend|frobnicate"',
    );
    expect(check("users list [--status ACTIVE] [-q prefix] --data-dir x --json")).toBeNull();
    expect(check("migrate saml apply --app a --role r --dry-run")).toBeNull();
    expect(check("aws …")).toBeNull();
  });

  it("exist, with the options shown", () => {
    const shown = DOCS.flatMap(commandLines);
    // The docs show a couple of hundred command lines; far fewer would mean the extraction broke.
    expect(shown.length).toBeGreaterThan(150);
    const wrong = shown.flatMap(({ where, line }) => {
      const problem = check(line);
      return problem ? [`${where}: ${problem} — rolebridge ${line.trim()}`] : [];
    });
    expect(wrong).toEqual([]);
  });
});
