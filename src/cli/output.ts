/** Shared CLI output helpers: every command prints human text by default and JSON with --json. */
import { DomainError, type ErrorCode } from "../core/errors.js";

/** A failure the CLI itself detects; by default a usage error (exit 2). Its exit code is the table's. */
export class CliError extends DomainError {
  constructor(message: string, code: ErrorCode = "usage", details: Record<string, unknown> = {}) {
    super(code, message, details);
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

/** Anything thrown that is not a domain error is a bug: reported as `internal`, with its message. */
const asDomainError = (err: unknown): DomainError =>
  err instanceof DomainError ? err : new DomainError("internal", err instanceof Error ? err.message : String(err));

/**
 * The one CLI mapping of failures: a one-line reason on stderr (or `{code, message, details}` with `--json`)
 * and the exit code the error table gives the code (see docs/cli.md).
 */
export function reportCliError(err: unknown, opts: { json?: boolean } = {}): void {
  const domain = asDomainError(err);
  if (opts.json) process.stderr.write(`${JSON.stringify(domain.toJSON())}\n`);
  else process.stderr.write(`rolebridge: ${describe(domain).split("\n")[0]}\n`);
  process.exitCode = domain.exitCode;
}
