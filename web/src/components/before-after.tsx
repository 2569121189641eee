/**
 * A System Log event's before and after, side by side: one row per field (nested fields by their dotted
 * path), changed rows marked in words as well as colour. Fields only one side has (a creation, a deletion)
 * show "—" on the other.
 */

type Flat = Map<string, string>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Nested objects become dotted paths; arrays and scalars are shown as JSON on one line. */
export function flatten(value: unknown, prefix = "", out: Flat = new Map()): Flat {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, value === undefined ? "—" : typeof value === "string" ? value : JSON.stringify(value));
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

export function BeforeAfter(props: { before: unknown; after: unknown; caption: string }) {
  const rows = changeRows(props.before, props.after);
  if (rows.length === 0) return <p class="muted">No field changed.</p>;
  return (
    <div class="wrap-cells">
      <table class="before-after">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.field} class={r.changed ? "changed" : undefined}>
              <th scope="row">
                {r.field}
                {r.changed && <span class="sr-only"> (changed)</span>}
              </th>
              <td class="was">{r.before}</td>
              <td class="now">{r.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
