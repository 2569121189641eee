import type { Command } from "commander";

/** Edit distance between two flags (insert, delete, substitute, swap of neighbours count one each). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest long flag of the command (and its parents), when it is close enough to be a typo. */
export function suggestFlag(flag: string, cmd: Command): string | undefined {
  const name = flag.split("=")[0]!;
  const candidates: string[] = ["--help"];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.options) if (o.long && !o.hidden) candidates.push(o.long);
  }
  let best: { flag: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (!best || d < best.d) best = { flag: candidate, d };
  }
  // A third of the flag's letters may differ: --emial → --email, but --zzz suggests nothing.
  return best && best.d > 0 && best.d <= Math.max(1, Math.floor((name.length - 2) / 3)) ? best.flag : undefined;
}

/**
 * Commander checks required options before unknown ones, so `users create --emial x` answered that `--email` is
 * missing and hid the typo. For every command that runs an action, an unknown option is reported first, with the
 * flag it most likely meant.
 */
export function reportUnknownOptionsFirst(cmd: Command): void {
  for (const sub of cmd.commands) reportUnknownOptionsFirst(sub);
  if (cmd.commands.length) return;
  const parse = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv) => {
    const parsed = parse(argv);
    const first = parsed.unknown[0];
    const asksForHelp = parsed.unknown.some((a) => a === "--help" || a === "-h");
    if (first !== undefined && /^--?[A-Za-z]/.test(first) && !asksForHelp) {
      const suggestion = suggestFlag(first, cmd);
      cmd.error(`unknown option '${first}'${suggestion ? ` (did you mean ${suggestion}?)` : ""}`, {
        code: "commander.unknownOption",
        exitCode: 1,
      });
    }
    return parsed;
  };
}
