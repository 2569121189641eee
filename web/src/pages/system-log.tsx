import { useState } from "preact/hooks";
import { api, query } from "../api";
import { BeforeAfter } from "../components/before-after";
import { splitSummary } from "../components/change-rows";
import {
  Empty,
  ErrorNote,
  Field,
  fieldError,
  Loading,
  Pager,
  PageTitle,
  useLoad,
  usePager,
  when,
} from "../components/ui";
import type { LogEvent } from "../types";

/** Before/after side by side when the event carries them; other details as they are. */
function EventDetails({ summary }: { summary: Record<string, unknown> }) {
  const split = splitSummary(summary);
  if (!split) return Object.keys(summary).length ? <pre>{JSON.stringify(summary, null, 2)}</pre> : null;
  return (
    <>
      <BeforeAfter before={split.before} after={split.after} caption="Before and after" />
      {Object.keys(split.rest).length > 0 && <pre>{JSON.stringify(split.rest, null, 2)}</pre>}
    </>
  );
}

const PAGE_SIZE = 50;

/** The System Log, newest first, filtered on the server by action, target id and time. */
export function SystemLogPage() {
  const [form, setForm] = useState({ action: "", target: "", since: "" });
  const [filter, setFilter] = useState(form);
  const pager = usePager();
  const since = filter.since ? new Date(filter.since).toISOString() : undefined;
  const { data, error, loading } = useLoad(
    () =>
      api.page<LogEvent>(
        `/logs${query({ limit: PAGE_SIZE, action: filter.action, target: filter.target, since, after: pager.after })}`,
      ),
    [filter, pager.after],
  );
  return (
    <section>
      <PageTitle>System Log</PageTitle>
      <search>
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ action: form.action.trim(), target: form.target.trim(), since: form.since });
            pager.reset();
          }}
        >
          <Field
            label="Action"
            hint="e.g. group.lifecycle.create"
            value={form.action}
            onValue={(action) => setForm({ ...form, action })}
            error={fieldError(error, "action")}
          />
          <Field
            label="Target id"
            value={form.target}
            onValue={(target) => setForm({ ...form, target })}
            error={fieldError(error, "target")}
          />
          <Field
            label="Since"
            type="datetime-local"
            value={form.since}
            onValue={(s) => setForm({ ...form, since: s })}
            error={fieldError(error, "since")}
          />
          <button type="submit">Search log</button>
        </form>
      </search>
      <ErrorNote error={error} />
      {!data && loading && <Loading what="events" />}
      {data?.items.length === 0 && <Empty>No event matches. Widen the time or clear a filter.</Empty>}
      {data && data.items.length > 0 && (
        <ol class="events" aria-label="Events" aria-busy={loading}>
          {data.items.map((e) => (
            <li key={e.id}>
              <details>
                <summary>
                  <time dateTime={e.published}>{when(e.published)}</time> <strong>{e.action}</strong>{" "}
                  <span class={e.outcome === "FAILURE" ? "error" : "muted"}>{e.outcome}</span> by {e.actor.display}
                  {e.target && ` on ${e.target.display}`}
                </summary>
                <dl class="facts">
                  <dt>Actor</dt>
                  <dd>
                    {e.actor.type} {e.actor.display} {e.actor.id && <code>{e.actor.id}</code>}
                  </dd>
                  {e.target && (
                    <>
                      <dt>Target</dt>
                      <dd>
                        {e.target.type} {e.target.display} {e.target.id && <code>{e.target.id}</code>}
                      </dd>
                    </>
                  )}
                  <dt>Request</dt>
                  <dd>{e.requestId ?? "—"}</dd>
                </dl>
                <EventDetails summary={e.summary} />
              </details>
            </li>
          ))}
        </ol>
      )}
      {data && <Pager pager={pager} next={data.next} label="Log pages" />}
    </section>
  );
}
