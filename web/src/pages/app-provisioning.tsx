import { useState } from "preact/hooks";
import { api, query } from "../api";
import { Checkbox, ConfirmButton, Empty, ErrorNote, Field, Loading, useLoad } from "../components/ui";
import { Link } from "../router";
import type { App, Group, ProvisionedObject, SyncReport, User } from "../types";

const path = (app: App, rest: string) => `/apps/${encodeURIComponent(app.id)}${rest}`;

/** Who each provisioned id is; an object deleted meanwhile shows its id. */
async function named(objects: ProvisionedObject[]) {
  return Promise.all(
    objects.map(async (o) => {
      const id = encodeURIComponent(o.objectId);
      const name = await (o.kind === "user"
        ? api.get<User>(`/users/${id}`).then((u) => u.profile.login)
        : api.get<Group>(`/groups/${id}`).then((g) => g.profile.name)
      ).catch(() => o.objectId);
      return { ...o, name, href: o.kind === "user" ? `/people/${id}` : `/groups/${id}` };
    }),
  );
}

/**
 * SCIM provisioning (Okta's Provisioning and Push Groups tabs): the token (write-only), Test API
 * Credentials, sync now or a dry run, the groups pushed, and each person's and group's status.
 */
export function ProvisioningTab({ app, onChange }: { app: App; onChange: () => void }) {
  const status = useLoad(
    async () => named(await api.get<ProvisionedObject[]>(path(app, "/provisioning/status"))),
    [app.id, app.version],
  );
  const [token, setToken] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [report, setReport] = useState<SyncReport | null>(null);
  const [push, setPush] = useState("");
  const [pushError, setPushError] = useState<unknown>(null);
  const act = async (fn: () => Promise<void>) => {
    setError(null);
    setNote(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
  };
  const pushGroups = ((app.settings as { pushGroups?: string[] }).pushGroups ?? []) as string[];

  return (
    <div>
      <div class="panel">
        <h2>Connection</h2>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api.write("PUT", path(app, "/provisioning/token"), { token });
              setToken("");
              setNote("Token saved. It is sealed and never shown again.");
            });
          }}
        >
          <Field
            label="SCIM API token"
            type="password"
            autoComplete="off"
            hint="Write-only: paste a new token to replace the current one"
            value={token}
            onValue={setToken}
          />
          <button type="submit" disabled={!token}>
            Save token
          </button>
        </form>
        <Checkbox
          label="Enable API integration"
          hint="Off: nothing is sent to the target (dry runs still work). Switching it on starts a full sync."
          checked={app.provisioning?.enabled === true}
          onValue={(on) =>
            act(async () => {
              await api.write("POST", path(app, `/provisioning/${on ? "enable" : "disable"}`));
              setNote(on ? "Provisioning is on: a full sync is queued." : "Provisioning is off: nothing is sent.");
              onChange();
            })
          }
        />
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(async () => {
                const r = await api.write<{ ok: boolean; message?: string }>("POST", path(app, "/provisioning/test"));
                setNote(r.ok ? "The credentials work: the target answered." : `The target refused: ${r.message}`);
              })
            }
          >
            Test API Credentials
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(async () => setReport(await api.write("POST", path(app, "/provisioning/sync?dryRun=true"))))
            }
          >
            Dry run
          </button>
          <ConfirmButton
            label="Sync now"
            title="Sync now?"
            message="rolebridge writes every planned change to the target (creates, updates, deactivations)."
            confirmLabel="Sync now"
            onConfirm={async () => {
              setReport(await api.write("POST", path(app, "/provisioning/sync")));
              status.reload();
            }}
          />
        </div>
        {note && (
          <p class="notice" role="status">
            {note}
          </p>
        )}
        <ErrorNote error={error} />
        {report && (
          <div role="status">
            <h3>{report.dryRun ? "Dry run: planned changes" : "Sync: changes made"}</h3>
            {report.changes === 0 ? (
              <p>Nothing to send: the target already matches.</p>
            ) : (
              <pre>{report.plan.join("\n")}</pre>
            )}
          </div>
        )}
      </div>
      <div class="panel">
        <h2>Push Groups</h2>
        <form
          class="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            setPushError(null);
            try {
              const found = (await api.page<Group>(`/groups${query({ name: push.trim(), limit: 2 })}`)).items;
              if (found.length !== 1) throw new Error(found.length ? "several groups have this name" : "no such group");
              const next = [...new Set([...pushGroups, found[0]!.id])];
              await api.write("POST", path(app, ""), { settings: { pushGroups: next } }, app.version);
              setPush("");
              onChange();
            } catch (err) {
              setPushError(err);
            }
          }}
        >
          <Field
            label="Group to push"
            required
            value={push}
            onValue={setPush}
            error={pushError ? (pushError as Error).message : null}
          />
          <button type="submit">Push group</button>
        </form>
        {pushGroups.length === 0 && (
          <Empty>No group is pushed. Push one to create it, with its members, on the target.</Empty>
        )}
      </div>
      <div class="panel">
        <h2>Status</h2>
        <ErrorNote error={status.error} />
        {!status.data && !status.error && <Loading what="status" />}
        {status.data?.length === 0 && <Empty>Nothing provisioned yet: assign people, then sync.</Empty>}
        {status.data && status.data.length > 0 && (
          <table>
            <caption class="sr-only">Provisioning status</caption>
            <thead>
              <tr>
                <th scope="col">Person or group</th>
                <th scope="col">Status</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {status.data.map((o) => (
                <tr key={o.kind + o.objectId}>
                  <td>
                    {o.kind === "user" ? "Person" : "Group"} <Link href={o.href}>{o.name}</Link>
                  </td>
                  <td>
                    <span class={`badge badge-${o.status === "error" ? "deprovisioned" : o.status}`}>{o.status}</span>
                  </td>
                  <td>{o.lastError ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
