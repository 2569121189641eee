import type { MigrationStep, Progress } from "../core/migration/journal.js";

/** A bar redrawn in place on a terminal; one plain line per step anywhere else (logs, CI). Both on stderr. */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let total = 0;
  let count = 0;
  let verb = "";
  const tty = stream.isTTY === true;
  const bar = (label: string) => {
    const width = 30;
    const filled = total ? Math.round((count / total) * width) : width;
    stream.write(
      `\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${count}/${total} ${label.slice(0, 60).padEnd(60)}`,
    );
  };
  return {
    start(n: number, v: string) {
      total = n;
      count = 0;
      verb = v;
      if (tty) bar(verb);
    },
    step(_index: number, step: MigrationStep, outcome) {
      count += 1;
      if (tty) bar(step.label);
      else stream.write(`${verb} ${count}/${total} ${outcome}: ${step.label}\n`);
    },
    finish() {
      if (tty) stream.write("\n");
    },
  };
}
