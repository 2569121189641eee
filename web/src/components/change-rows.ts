/** The System Log's before/after as rows, kept free of JSX so the server-side tests can check it. */

type Flat = Map<string, string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Nested objects become dotted paths; arrays and scalars are shown as JSON on one line. */
export function flatten(value: unknown, prefix = "", out: Flat = new Map()): Flat {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    // null is a value the field holds (no description), unlike a field one side lacks ("—").
    const text = value === null ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
    out.set(prefix, value === undefined ? "—" : text);
  }
  return out;
}

export interface ChangeRow {
  field: string;
  before: string;
  after: string;
  changed: boolean;
}

/** The rows to show, in the order the fields first appear (before's, then after's new ones). */
export function changeRows(before: unknown, after: unknown): ChangeRow[] {
  const b = flatten(before);
  const a = flatten(after);
  const fields = [...new Set([...b.keys(), ...a.keys()])];
  return fields.map((field) => {
    const was = b.get(field) ?? "—";
    const now = a.get(field) ?? "—";
    return { field, before: was, after: now, changed: was !== now };
  });
}

/** The summary's before/after if it has either, and the rest of it (other details) apart. */
export function splitSummary(summary: Record<string, unknown>): {
  before: unknown;
  after: unknown;
  rest: Record<string, unknown>;
} | null {
  if (!("before" in summary) && !("after" in summary)) return null;
  const { before, after, ...rest } = summary;
  return { before, after, rest };
}
