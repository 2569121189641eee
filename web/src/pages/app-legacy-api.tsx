import { useState } from "preact/hooks";
import { api } from "../api";
import { Checkbox, Empty, ErrorNote, errorsByField, Field, useLoad, when } from "../components/ui";
import type { AccountRoleList, App, RefreshRun } from "../types";

interface ApiSettings {
  enabled?: boolean;
  accessKeyId?: string | null;
  connectedAccountIds?: string[];
  crossAccountRoleName?: string;
}
type TestResult = { ok: true; accountId: string; arn: string } | { ok: false; code: string; message: string };

const path = (app: App, rest: string) => `/apps/${encodeURIComponent(app.id)}${rest}`;

/** Every refreshed role, those no SAML provider can assume included (marked `samlAssumable: false`). */
export function useRoleLists(app: App) {
  return useLoad(
    () => api.get<{ lists: AccountRoleList[]; lastRefresh: RefreshRun | null }>(path(app, "/aws/roles?all=true")),
    [app.id],
  );
}

/**
 * Legacy API mode (Okta's Provisioning tab on the AWS app): an IAM user's keys — the secret write-only —
 * read the role lists of the connected accounts, through the cross-account role.
 */
export function LegacyApiTab({ app, onChange }: { app: App; onChange: () => void }) {
  const saved = ((app.settings as { api?: ApiSettings }).api ?? {}) as ApiSettings;
  const [enabled, setEnabled] = useState(saved.enabled === true);
  const [accounts, setAccounts] = useState((saved.connectedAccountIds ?? []).join(", "));
  const [roleName, setRoleName] = useState(saved.crossAccountRoleName ?? "");
  const [keyId, setKeyId] = useState(saved.accessKeyId ?? "");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [keyError, setKeyError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const lists = useRoleLists(app);
  const fields = errorsByField(error, "/settings/api/");
  const act = async (fn: () => Promise<void>, onError = setError) => {
    setNote(null);
    onError(null);
    try {
      await fn();
    } catch (e) {
      onError(e);
    }
  };

  return (
    <div>
      <form
        class="panel"
        aria-labelledby="api-settings"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const connectedAccountIds = accounts.split(/[\s,]+/).filter(Boolean);
            const change = { enabled, connectedAccountIds, crossAccountRoleName: roleName.trim() };
            await api.write("POST", path(app, ""), { settings: { api: change } }, app.version);
            setNote("Saved.");
            onChange();
          });
        }}
      >
        <h2 id="api-settings">API integration</h2>
        <Checkbox
          label="Enable API integration"
          hint="Reads role lists from AWS with an IAM user's keys"
          checked={enabled}
          onValue={setEnabled}
        />
        <Field
          label="Connected accounts"
          hint="12-digit account ids, separated by commas"
          value={accounts}
          onValue={setAccounts}
          error={fields.connectedAccountIds}
        />
        <Field
          label="Cross-account role name"
          value={roleName}
          onValue={setRoleName}
          error={fields.crossAccountRoleName}
        />
        <ErrorNote error={Object.keys(fields).length ? null : error} />
        <button type="submit">Save</button>
      </form>
      <form
        class="panel"
        aria-labelledby="api-keys"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await api.write("PUT", path(app, "/credentials/aws"), {
              accessKeyId: keyId.trim(),
              secretAccessKey: secret,
            });
            setSecret("");
            setNote("Keys saved. The secret is sealed and never shown again.");
            onChange();
          }, setKeyError);
        }}
      >
        <h2 id="api-keys">IAM user's access key</h2>
        <Field
          label="Access key ID"
          required
          value={keyId}
          onValue={setKeyId}
          error={fieldOf(keyError, "accessKeyId")}
        />
        <Field
          label="Secret access key"
          type="password"
          autoComplete="off"
          required
          hint="Write-only"
          value={secret}
          onValue={setSecret}
          error={fieldOf(keyError, "secretAccessKey")}
        />
        <div class="actions">
          <button type="submit" disabled={!secret}>
            Save keys
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(async () => {
                const r = await api.write<TestResult>("POST", path(app, "/aws/test"));
                setNote(r.ok ? `The keys work: ${r.arn}` : `AWS refused them: ${r.code} ${r.message}`);
              })
            }
          >
            Test API Credentials
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(async () => {
                const r = await api.write<{ status: string }>("POST", path(app, "/aws/refresh"));
                setNote(`Refresh finished: ${r.status}.`);
                lists.reload();
              })
            }
          >
            Refresh Application Data
          </button>
        </div>
        {note && (
          <p class="notice" role="status">
            {note}
          </p>
        )}
        <ErrorNote
          error={
            keyError && !fieldOf(keyError, "accessKeyId") && !fieldOf(keyError, "secretAccessKey") ? keyError : null
          }
        />
      </form>
      <div class="panel">
        <h2>Role lists</h2>
        <ErrorNote error={lists.error} />
        {lists.data?.lastRefresh && (
          <p>
            Last refresh {when(lists.data.lastRefresh.finishedAt ?? lists.data.lastRefresh.startedAt)}:{" "}
            {lists.data.lastRefresh.status}
            {lists.data.lastRefresh.error ? ` — ${lists.data.lastRefresh.error}` : ""}
          </p>
        )}
        {lists.data?.lists.length === 0 && (
          <Empty>No role list yet: save the keys, then Refresh Application Data.</Empty>
        )}
        {lists.data && lists.data.lists.length > 0 && (
          <table>
            <caption class="sr-only">Role lists per account</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
              </tr>
            </thead>
            <tbody>
              {lists.data.lists.map((l) => (
                <tr key={l.accountId}>
                  <td>{l.alias ? `${l.alias} (${l.accountId})` : l.accountId}</td>
                  <td class={l.status === "error" ? "error" : ""}>
                    {l.status === "error" ? `error: ${l.error}` : "ok"}
                  </td>
                  <td>
                    {l.roles.map((r) => (r.samlAssumable === false ? `${r.name} (not SAML)` : r.name)).join(", ") ||
                      "—"}
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

function fieldOf(error: unknown, name: string): string | null {
  return errorsByField(error, "/")[name] ?? null;
}
