/** Shared CLI output helpers: every command prints human text by default and JSON with --json. */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** One-line reason on stderr and a non-zero exit: the CLI contract for every failure. */
export function reportCliError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`rolebridge: ${message.split("\n")[0]}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
