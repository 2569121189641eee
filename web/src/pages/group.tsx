import { useState } from "preact/hooks";
import { api, query } from "../api";
import {
  ConfirmButton,
  Empty,
  ErrorNote,
  Field,
  Loading,
  Pager,
  PageTitle,
  StatusBadge,
  useLoad,
  usePager,
} from "../components/ui";
import { Link, navigate } from "../router";
import type { Group, User } from "../types";
import { GroupEditForm } from "./group-edit";
import { fullName } from "./people";

const PAGE_SIZE = 50;

export function GroupPage({ id }: { id: string }) {
  const path = `/groups/${encodeURIComponent(id)}`;
  const group = useLoad(() => api.get<Group>(path), [id]);
  const pager = usePager();
  const members = useLoad(
    () => api.page<User>(`${path}/users${query({ limit: PAGE_SIZE, after: pager.after })}`),
    [id, pager.after],
  );
  const [login, setLogin] = useState("");
  const [addError, setAddError] = useState<unknown>(null);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const g = group.data;
  if (!g) return group.error ? <ErrorNote error={group.error} /> : <Loading what="group" />;

  return (
    <section>
      <p class="crumbs">
        <Link href="/groups">Groups</Link>
      </p>
      <PageTitle>{g.profile.name}</PageTitle>
      <div class="panel">
        {editing ? (
          <GroupEditForm
            group={g}
            onSaved={() => {
              setEditing(false);
              group.reload();
            }}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <>
            <dl class="facts">
              <dt>Source</dt>
              <dd>{g.source}</dd>
              <dt>Description</dt>
              <dd>{g.profile.description ?? "—"}</dd>
              <dt>External id</dt>
              <dd>{g.externalId ?? "—"}</dd>
            </dl>
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setEditing(true)}>
                Edit group
              </button>
              <ConfirmButton
                label="Delete group"
                title={`Delete ${g.profile.name}?`}
                message="Its memberships and app assignments go with it; people lose the roles it gave them."
                confirmLabel="Delete group"
                danger
                onConfirm={async () => {
                  await api.write("DELETE", path);
                  navigate("/groups");
                }}
              />
            </div>
          </>
        )}
      </div>
      <div class="panel">
        <h2>Members</h2>
        <form
          class="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            setAddError(null);
            try {
              await api.write("PUT", `${path}/users/${encodeURIComponent(login.trim())}`);
              setLogin("");
              members.reload();
            } catch (err) {
              setAddError(err);
            }
          }}
        >
          <Field
            label="Person to add (login)"
            required
            value={login}
            onValue={setLogin}
            error={addError ? (addError as Error).message : null}
          />
          <button type="submit">Add member</button>
        </form>
        <ErrorNote error={members.error ?? removeError} />
        {members.data?.items.length === 0 && <Empty>No members yet. Add someone by their login.</Empty>}
        {members.data && members.data.items.length > 0 && (
          <table>
            <caption class="sr-only">Members, page {pager.pageNumber}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Login</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link href={`/people/${encodeURIComponent(u.id)}`}>{fullName(u)}</Link>
                  </td>
                  <td>{u.profile.login}</td>
                  <td>
                    <StatusBadge status={u.status} />
                  </td>
                  <td>
                    <ConfirmButton
                      label="Remove"
                      ariaLabel={`Remove ${u.profile.login}`}
                      title={`Remove ${fullName(u)} from ${g.profile.name}?`}
                      message="They lose the app roles this group gives them."
                      confirmLabel="Remove"
                      danger
                      onConfirm={async () => {
                        setRemoveError(null);
                        await api.write("DELETE", `${path}/users/${encodeURIComponent(u.id)}`);
                        members.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {members.data && <Pager pager={pager} next={members.data.next} label="Member pages" />}
      </div>
    </section>
  );
}
