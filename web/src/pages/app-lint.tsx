import { api } from "../api";
import { Empty, ErrorNote, Loading, useLoad } from "../components/ui";
import type { App, AppLint } from "../types";

/** Okta has no such tab: what would silently go wrong — role groups the Group Filter misses, oversized sign-ins. */
export function LintTab({ app }: { app: App }) {
  const { data, error } = useLoad(() => api.get<AppLint>(`/apps/${encodeURIComponent(app.id)}/lint`), [app.id]);
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="findings" />;
  const { groupFilter, responseSize, upgradeNotices } = data;
  const open = upgradeNotices.filter((n) => !n.acknowledged);
  return (
    <div>
      <div class="panel">
        <h2>Group Filter</h2>
        <p>
          {groupFilter.matched} of the {groupFilter.checked} groups the App Filter reads match the Group Filter.
        </p>
        {groupFilter.missed.length === 0 ? (
          <Empty>No role group is missed.</Empty>
        ) : (
          <ul class="list" aria-label="Role groups the Group Filter misses">
            {groupFilter.missed.map((m) => (
              <li key={m.groupName}>
                <strong>{m.groupName}</strong>
                {m.hint && <span class="muted"> — {m.hint}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="panel">
        <h2>SAML response size</h2>
        <p>
          AWS refuses a sign-in whose SAML response is over {responseSize.limit.toLocaleString()} characters (base64).
        </p>
        {responseSize.atRisk.length === 0 ? (
          <Empty>No one is near the limit.</Empty>
        ) : (
          <table>
            <caption class="sr-only">People near the size limit</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Roles</th>
                <th scope="col">Size</th>
              </tr>
            </thead>
            <tbody>
              {responseSize.atRisk.map((r) => (
                <tr key={r.userId}>
                  <td>{r.login}</td>
                  <td>{r.roleCount}</td>
                  <td class={r.overLimit ? "error" : ""}>
                    {r.base64Length.toLocaleString()} {r.overLimit ? "(over: sign-in fails)" : "(near)"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {open.length > 0 && (
        <div class="panel">
          <h2>Upgrade notices</h2>
          <ul class="list">
            {open.map((n) => (
              <li key={n.id}>{n.details?.summary ?? n.kind}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
