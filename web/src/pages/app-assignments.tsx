import { useEffect, useState } from "preact/hooks";
import { ApiError, api, query } from "../api";
import { Checkbox, ConfirmButton, Empty, ErrorNote, Field, Loading, Select, useLoad } from "../components/ui";
import { Link } from "../router";
import type { App, Assignment, Group, User } from "../types";
import { useRoleLists } from "./app-legacy-api";

type Kind = "user" | "group";
interface Row {
  assignment: Assignment;
  name: string;
  href: string;
}

const rolesOf = (a: Assignment) =>
  ((a.profile as { samlRoles?: { roleArn: string }[] }).samlRoles ?? []).map((r) => r.roleArn);

/** Names for the assigned ids; a principal deleted meanwhile shows its id. */
async function withNames(assignments: Assignment[]): Promise<Row[]> {
  return Promise.all(
    assignments.map(async (a) => {
      const id = encodeURIComponent(a.principalId);
      try {
        if (a.principalType === "user") {
          const u = await api.get<User>(`/users/${id}`);
          return { assignment: a, name: u.profile.login, href: `/people/${id}` };
        }
        const g = await api.get<Group>(`/groups/${id}`);
        return { assignment: a, name: `${g.profile.name} (${g.source})`, href: `/groups/${id}` };
      } catch {
        return {
          assignment: a,
          name: a.principalId,
          href: a.principalType === "user" ? `/people/${id}` : `/groups/${id}`,
        };
      }
    }),
  );
}

/** Okta's Assignments tab: people and groups, each with the SAML User Roles it carries. */
export function AssignmentsTab({ app }: { app: App }) {
  const base = `/apps/${encodeURIComponent(app.id)}`;
  const list = useLoad(async () => withNames(await api.get<Assignment[]>(`${base}/assignments`)), [app.id]);
  const [error, setError] = useState<unknown>(null);
  const rows = list.data;
  return (
    <div>
      <AssignForm app={app} onAssigned={list.reload} />
      <div class="panel">
        <h2>Assigned</h2>
        <ErrorNote error={list.error ?? error} />
        {!rows && !list.error && <Loading what="assignments" />}
        {rows?.length === 0 && (
          <Empty>No one is assigned: assign a group (or a person) with the form above to give them AWS roles.</Empty>
        )}
        {rows && rows.length > 0 && (
          <table>
            <caption class="sr-only">Assignments</caption>
            <thead>
              <tr>
                <th scope="col">Assigned</th>
                <th scope="col">Roles</th>
                <th scope="col" class="wide">
                  Priority
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ assignment: a, name, href }) => (
                <tr key={a.principalType + a.principalId}>
                  <td>
                    {a.principalType === "user" ? "Person" : "Group"} <Link href={href}>{name}</Link>
                  </td>
                  <td>
                    {rolesOf(a).length === 0 ? (
                      <span class="muted">none (group mapping may still grant roles)</span>
                    ) : (
                      <ul class="list">
                        {rolesOf(a).map((r) => (
                          <li key={r}>{r}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td class="wide">{a.priority ?? "—"}</td>
                  <td>
                    <ConfirmButton
                      label="Unassign"
                      ariaLabel={`Unassign ${name}`}
                      title={`Unassign ${name}?`}
                      message="They lose the roles this assignment gives them at their next sign-in."
                      confirmLabel="Unassign"
                      danger
                      onConfirm={async () => {
                        setError(null);
                        const segment = a.principalType === "user" ? "users" : "groups";
                        await api.write("DELETE", `${base}/${segment}/${encodeURIComponent(a.principalId)}`);
                        list.reload();
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

function AssignForm({ app, onAssigned }: { app: App; onAssigned: () => void }) {
  const [kind, setKind] = useState<Kind>("group");
  const [who, setWho] = useState("");
  const [roles, setRoles] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [matches, setMatches] = useState<Group[]>([]);
  // Group names are suggested from the server as they are typed.
  useEffect(() => {
    if (kind !== "group" || !who.trim()) return setMatches([]);
    const t = setTimeout(() => {
      api.page<Group>(`/groups${query({ q: who.trim(), limit: 20 })}`).then(
        (p) => setMatches(p.items),
        () => setMatches([]),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [kind, who]);

  const roleError =
    error instanceof ApiError && JSON.stringify(error.details).includes("samlRoles") ? error.message : null;
  return (
    <form
      class="panel"
      aria-labelledby="assign-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          let ref = who.trim();
          if (kind === "group") {
            const found = (await api.page<Group>(`/groups${query({ name: ref, limit: 2 })}`)).items;
            if (found.length !== 1) {
              throw new ApiError(
                404,
                "not_found",
                found.length ? "several groups have this name" : `no group is named ${ref}`,
                {
                  field: "who",
                },
              );
            }
            ref = found[0]!.id;
          }
          const samlRoles = roles
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((roleArn) => ({ roleArn }));
          const segment = kind === "user" ? "users" : "groups";
          await api.write("PUT", `/apps/${encodeURIComponent(app.id)}/${segment}/${encodeURIComponent(ref)}`, {
            profile: { samlRoles },
          });
          setWho("");
          setRoles("");
          onAssigned();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h2 id="assign-title">Assign</h2>
      <div class="filters">
        <Select
          label="Assign a"
          value={kind}
          options={[
            ["group", "Group"],
            ["user", "Person"],
          ]}
          onValue={setKind}
        />
        <Field
          label={kind === "user" ? "Person (login)" : "Group name"}
          required
          list={kind === "group" ? "assign-groups" : undefined}
          value={who}
          onValue={setWho}
          error={!roleError && error ? (error as Error).message : null}
        />
        <datalist id="assign-groups">
          {matches.map((g) => (
            <option key={g.id} value={g.profile.name}>
              {g.source}
            </option>
          ))}
        </datalist>
      </div>
      {app.type === "aws-account-federation" && (
        <RolePicker app={app} onPick={(arn) => setRoles((r) => (r.trim() ? `${r.trim()}, ${arn}` : arn))} />
      )}
      <Field
        label="SAML User Roles"
        hint="Role ARNs, separated by spaces or commas; empty when group mapping gives the roles"
        value={roles}
        onValue={setRoles}
        error={roleError}
      />
      <button type="submit">Assign</button>
    </form>
  );
}

/**
 * Legacy API mode: roles are picked from the lists refreshed from AWS rather than typed. Roles whose trust
 * policy admits no SAML provider (OrganizationAccountAccessRole, the cross-account role) are left out unless
 * asked for: no one could ever be signed in to them.
 */
function RolePicker({ app, onPick }: { app: App; onPick: (arn: string) => void }) {
  const lists = useRoleLists(app);
  const [showAll, setShowAll] = useState(false);
  const all = (lists.data?.lists ?? []).flatMap((l) =>
    l.roles.map((r) => ({
      arn: r.arn,
      label: `${l.alias ?? l.accountId}: ${r.name}`,
      saml: r.samlAssumable !== false,
    })),
  );
  const hidden = all.filter((r) => !r.saml).length;
  const roles = all
    .filter((r) => showAll || r.saml)
    .map((r) => [r.arn, r.saml ? r.label : `${r.label} (no SAML provider can assume it)`] as const);
  if (all.length === 0) return null;
  return (
    <>
      <Select
        label="Add a role from the refreshed lists"
        value=""
        options={[["", "Choose a role…"], ...roles]}
        onValue={(arn) => arn && onPick(arn)}
      />
      {hidden > 0 && (
        <Checkbox label={`Show ${hidden} role(s) no SAML provider can assume`} checked={showAll} onValue={setShowAll} />
      )}
    </>
  );
}
