/**
 * A System Log event's before and after, side by side: one row per field (nested fields by their dotted
 * path), changed rows marked in words as well as colour. Fields only one side has (a creation, a deletion)
 * show "—" on the other.
 */

import { changeRows } from "./change-rows";

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
