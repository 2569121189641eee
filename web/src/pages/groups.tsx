import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api";
import { Empty, ErrorNote, Field, fieldError, Loading, Pager, PageTitle, useLoad, usePager } from "../components/ui";
import { Link, navigate } from "../router";
import type { Group } from "../types";

const PAGE_SIZE = 50;

/** Groups by source (local, active_directory, ldap, csv:<name>) and name prefix, with a form to create one. */
export function GroupsPage() {
  const [typed, setTyped] = useState({ q: "", source: "" });
  const [filter, setFilter] = useState({ q: "", source: "" });
  const pager = usePager();
  useEffect(() => {
    const t = setTimeout(() => {
      setFilter({ q: typed.q.trim(), source: typed.source.trim() });
      pager.reset();
    }, 250);
    return () => clearTimeout(t);
  }, [typed.q, typed.source]);
  const { data, error, loading } = useLoad(
    () => api.page<Group>(`/groups${query({ limit: PAGE_SIZE, ...filter, after: pager.after })}`),
    [filter.q, filter.source, pager.after],
  );
  return (
    <section>
      <PageTitle>Groups</PageTitle>
      <div class="columns">
        <div>
          <search class="filters">
            <Field label="Search groups" type="search" value={typed.q} onValue={(q) => setTyped({ ...typed, q })} />
            <Field
              label="Source"
              list="group-sources"
              hint="local, active_directory, ldap or csv:<name>"
              value={typed.source}
              onValue={(source) => setTyped({ ...typed, source })}
            />
            <datalist id="group-sources">
              <option value="local" />
              <option value="active_directory" />
              <option value="ldap" />
            </datalist>
          </search>
          <ErrorNote error={error} />
          {!data && loading && <Loading what="groups" />}
          {data?.items.length === 0 && (
            <Empty>
              {filter.q || filter.source
                ? "No group matches. Clear the search or the source."
                : "No groups yet. Create one with the form."}
            </Empty>
          )}
          {data && data.items.length > 0 && (
            <table aria-busy={loading}>
              <caption class="sr-only">Groups, page {pager.pageNumber}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Source</th>
                  <th scope="col" class="wide">
                    Description
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((g) => (
                  <tr key={g.id}>
                    <td>
                      <Link href={`/groups/${encodeURIComponent(g.id)}`}>{g.profile.name}</Link>
                    </td>
                    <td>{g.source}</td>
                    <td class="wide">{g.profile.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data && <Pager pager={pager} next={data.next} label="Group pages" />}
        </div>
        <CreateGroup />
      </div>
    </section>
  );
}

function CreateGroup() {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [source, setSource] = useState("local");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameError = fieldError(error, "name");
  const sourceError = fieldError(error, "source");
  return (
    <form
      class="panel"
      aria-labelledby="create-group"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const body = { profile: { name, description: description || null }, source };
          const group = await api.write<Group>("POST", "/groups", body);
          navigate(`/groups/${encodeURIComponent(group.id)}`);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="create-group">Create a group</h2>
      <Field label="Group name" required value={name} onValue={setName} error={nameError} />
      <Field label="Description" value={description} onValue={setDescription} />
      <Field
        label="Group source"
        required
        hint="Where the group comes from; the App Filter allows or rejects by source"
        value={source}
        onValue={setSource}
        error={sourceError}
      />
      {!nameError && !sourceError && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>
        Create group
      </button>
    </form>
  );
}
