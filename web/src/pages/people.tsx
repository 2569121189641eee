import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api";
import {
  Empty,
  ErrorNote,
  Field,
  Loading,
  Pager,
  PageTitle,
  Select,
  StatusBadge,
  useLoad,
  usePager,
  when,
} from "../components/ui";
import { Link } from "../router";
import type { User, UserStatus } from "../types";

const PAGE_SIZE = 50;
const STATUSES = [
  ["", "Any status"],
  ["ACTIVE", "Active"],
  ["STAGED", "Staged"],
  ["SUSPENDED", "Suspended"],
  ["DEPROVISIONED", "Deactivated"],
] as const;

export const fullName = (u: User) =>
  u.profile.displayName ?? ([u.profile.firstName, u.profile.lastName].filter(Boolean).join(" ") || u.profile.login);

/** The directory's people, a page at a time from the server, searched by prefix on the server. */
export function PeoplePage() {
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const [status, setStatus] = useState<UserStatus | "">("");
  const pager = usePager();
  // Search as you type, once typing pauses: 100,000 people stay on the server.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(typed.trim());
      pager.reset();
    }, 250);
    return () => clearTimeout(t);
  }, [typed]);
  const { data, error, loading } = useLoad(
    () => api.page<User>(`/users${query({ limit: PAGE_SIZE, q, status, after: pager.after })}`),
    [q, status, pager.after],
  );
  return (
    <section>
      <PageTitle>People</PageTitle>
      <p>
        <Link href="/import">Import people and groups from CSV</Link>
      </p>
      <search class="filters">
        <Field
          label="Search people"
          type="search"
          hint="Start of a login, email or name"
          value={typed}
          onValue={setTyped}
        />
        <Select
          label="Status"
          value={status}
          options={STATUSES}
          onValue={(v) => {
            setStatus(v);
            pager.reset();
          }}
        />
      </search>
      <ErrorNote error={error} />
      {!data && loading && <Loading what="people" />}
      {data && data.items.length === 0 && (
        <Empty>
          {q || status
            ? "No one matches. Try fewer letters or another status."
            : "No people yet. Import them from CSV (link above), or add them with the API or `rolebridge users create`."}
        </Empty>
      )}
      {data && data.items.length > 0 && (
        <table aria-busy={loading}>
          <caption class="sr-only">People, page {pager.pageNumber}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Login</th>
              <th scope="col">Status</th>
              <th scope="col" class="wide">
                Last sign-in
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link href={`/people/${encodeURIComponent(u.id)}`}>{fullName(u)}</Link>
                </td>
                <td>{u.profile.login}</td>
                <td>
                  <StatusBadge status={u.status} />
                </td>
                <td class="wide">{when(u.lastLogin)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && <Pager pager={pager} next={data.next} label="People pages" />}
    </section>
  );
}
