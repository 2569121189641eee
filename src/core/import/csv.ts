import { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { EncodingError, strictUtf8 } from "./utf8.js";

/** Where in a file something is wrong; `line` is 1-based and counts the header. */
export interface RowError {
  file: string;
  line: number;
  column?: string | undefined;
  message: string;
}

export interface ColumnSpec {
  required: readonly string[];
  optional: readonly string[];
}

export type CsvInput = AsyncIterable<Uint8Array | string> | Readable;

export type CsvItem =
  | { kind: "row"; line: number; values: Map<string, string> }
  | { kind: "error"; error: RowError; fatal: boolean };

const list = (names: readonly string[]) => names.join(",");

/** Header check: exactly the expected columns (any order, case-insensitive), required ones present. */
export function headerProblem(found: string[], spec: ColumnSpec): { message: string; columns?: string[] } {
  const known = [...spec.required, ...spec.optional];
  const canonical = new Map(known.map((c) => [c.toLowerCase(), c]));
  const columns: string[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  for (const raw of found) {
    const name = canonical.get(raw.trim().toLowerCase());
    if (!name) unknown.push(raw);
    else if (columns.includes(name)) repeated.push(name);
    columns.push(name ?? raw);
  }
  const missing = spec.required.filter((c) => !columns.includes(c));
  if (!unknown.length && !repeated.length && !missing.length) return { message: "", columns };
  const expected = spec.optional.length ? `${list(spec.required)}[,${list(spec.optional)}]` : list(spec.required);
  const why = [
    missing.length ? `missing ${list(missing)}` : "",
    unknown.length ? `unknown ${list(unknown)}` : "",
    repeated.length ? `repeated ${list(repeated)}` : "",
  ].filter(Boolean);
  return { message: `wrong columns: expected ${expected}, found ${list(found)} (${why.join("; ")})` };
}

/**
 * Streams one CSV file as rows keyed by column name. Never throws for bad input: problems come out as
 * error items, and a fatal one (bad header, bad encoding, broken quoting) ends the file.
 */
export async function* readCsv(file: string, input: CsvInput, spec: ColumnSpec): AsyncGenerator<CsvItem> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true });
  // `info: true` builds an info object per record, a large share of parse time at a million rows; the
  // line counter at the moment a record is pushed is all we need, so tag records as they are pushed.
  const push = parser.push.bind(parser);
  parser.push = (record: string[] | null) => push(record === null ? null : { record, lines: parser.info.lines });
  const source = Readable.from(input as AsyncIterable<Uint8Array | string>, { objectMode: false });
  const decoded = source.pipe(strictUtf8());
  // pipe() does not forward errors: a read or decoding failure must reach the parser's iterator,
  // or the loop below would wait forever.
  for (const stage of [source, decoded]) stage.on("error", (err) => parser.destroy(err));
  decoded.pipe(parser);
  let columns: string[] | null = null;
  try {
    for await (const { record, lines } of parser as AsyncIterable<{ record: string[]; lines: number }>) {
      const line = startLine(record, lines);
      if (!columns) {
        const problem = headerProblem(record, spec);
        if (!problem.columns) {
          yield { kind: "error", error: { file, line, message: problem.message }, fatal: true };
          return;
        }
        columns = problem.columns;
        continue;
      }
      if (record.length !== columns.length) {
        const message = `expected ${columns.length} fields, found ${record.length}`;
        yield { kind: "error", error: { file, line, message }, fatal: false };
        continue;
      }
      const values = new Map<string, string>();
      for (let i = 0; i < columns.length; i++) values.set(columns[i]!, record[i]!);
      yield { kind: "row", line, values };
    }
    if (!columns) {
      const message = `the file is empty; expected a header line ${list(spec.required)}`;
      yield { kind: "error", error: { file, line: 1, message }, fatal: true };
    }
  } catch (err) {
    yield { kind: "error", error: fatalError(file, err), fatal: true };
  } finally {
    source.destroy();
    decoded.destroy();
    parser.destroy();
  }
}

/** csv-parse reports the line a record ends on; a quoted field may span lines. */
function startLine(record: string[], endLine: number): number {
  let breaks = 0;
  for (const field of record) {
    for (let i = field.indexOf("\n"); i >= 0; i = field.indexOf("\n", i + 1)) breaks++;
  }
  return endLine - breaks;
}

function fatalError(file: string, err: unknown): RowError {
  if (err instanceof EncodingError) return { file, line: err.line, message: err.message };
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof EncodingError) return fatalError(file, cause);
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines ?? 0;
    return { file, line, message: `malformed CSV: ${err.message.replace(/ at line \d+$/, "")}` };
  }
  if (err instanceof Error && (err as NodeJS.ErrnoException).code) {
    return { file, line: 0, message: `cannot read the file: ${err.message}` };
  }
  throw err;
}
