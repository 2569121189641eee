/** Shared CLI output helpers: every command prints human text by default and JSON with --json. */
import { DomainError } from "../core/errors.js";

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

/** Prints rows as aligned columns; the header row comes first. */
export function printTable(header: string[], rows: (string | number | null | undefined)[][]): void {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const r of cells) printLine(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
}

/** Validation errors name the offending fields; the CLI keeps them on the one line. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DomainError && Array.isArray(err.details.errors)) {
    const fields = (err.details.errors as { path: string; message: string }[]).map((e) => `${e.path} ${e.message}`);
    if (fields.length) return `${message}: ${fields.join("; ")}`;
  }
  return message;
}

/** One-line reason on stderr and a non-zero exit: the CLI contract for every failure. */
export function reportCliError(err: unknown): void {
  const line = describe(err).split("\n")[0];
  process.stderr.write(`rolebridge: ${line}\n`);
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
}
