import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import {
  ConfirmButton,
  Empty,
  ErrorNote,
  Field,
  fieldError,
  Loading,
  PageTitle,
  StatusBadge,
  useLoad,
  when,
} from "../components/ui";
import { Link } from "../router";
import type { App, SigningKey } from "../types";
import { AssignmentsTab } from "./app-assignments";
import { LegacyApiTab } from "./app-legacy-api";
import { LintTab } from "./app-lint";
import { ProvisioningTab } from "./app-provisioning";
import { SignOnTab } from "./app-sign-on";
import { APP_TYPES } from "./apps";

/** An app's page with Okta's tabs: General (label, status, metadata, signing keys), Sign On, Provisioning (SCIM apps), Assignments, Lint. */
const TABS = [
  ["", "General"],
  ["sign-on", "Sign On"],
  ["provisioning", "Provisioning"],
  ["assignments", "Assignments"],
  ["lint", "Lint"],
] as const;

/** Sign On and Lint are about AWS federation's roles; its Provisioning is legacy API mode, SCIM apps' is SCIM. */
const hasTab = (app: App, tab: string) =>
  tab === "" ||
  tab === "assignments" ||
  tab === "provisioning" ||
  (app.type === "aws-account-federation" && (tab === "sign-on" || tab === "lint"));

export function AppPage({ id, tab = "" }: { id: string; tab?: string }) {
  const app = useLoad(() => api.get<App>(`/apps/${encodeURIComponent(id)}`), [id]);
  const a = app.data;
  if (!a) return app.error ? <ErrorNote error={app.error} /> : <Loading what="app" />;
  return (
    <section>
      <p class="crumbs">
        <Link href="/apps">Apps</Link>
      </p>
      <PageTitle>{a.label}</PageTitle>
      <p class="muted">
        {APP_TYPES[a.type] ?? a.type} · <StatusBadge status={a.status} />
      </p>
      <nav class="tabs" aria-label="App sections">
        {TABS.filter(([t]) => hasTab(a, t)).map(([t, name]) => (
          <Link
            key={t}
            href={`/apps/${encodeURIComponent(id)}${t ? `/${t}` : ""}`}
            aria-current={t === tab ? "page" : undefined}
          >
            {name}
          </Link>
        ))}
      </nav>
      {tab === "sign-on" && hasTab(a, tab) ? (
        <SignOnTab app={a} onSaved={app.reload} />
      ) : tab === "provisioning" && a.type === "aws-account-federation" ? (
        <LegacyApiTab app={a} onChange={app.reload} />
      ) : tab === "provisioning" ? (
        <ProvisioningTab app={a} onChange={app.reload} />
      ) : tab === "assignments" ? (
        <AssignmentsTab app={a} />
      ) : tab === "lint" && hasTab(a, tab) ? (
        <LintTab app={a} />
      ) : (
        <>
          <General app={a} onChange={app.reload} />
          <SigningKeys app={a} />
        </>
      )}
    </section>
  );
}

function General({ app, onChange }: { app: App; onChange: () => void }) {
  const [label, setLabel] = useState(app.label);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setLabel(app.label), [app.label]);
  const base = `/apps/${encodeURIComponent(app.id)}`;
  const metadata = `/app/${encodeURIComponent(app.slug)}/saml/metadata`;
  const signsIn = app.type !== "generic-scim2";
  return (
    <div class="panel">
      <h2>General</h2>
      <form
        class="inline"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setSaved(false);
          try {
            await api.write("POST", base, { label }, app.version);
            setSaved(true);
            onChange();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field
          label="Application label"
          required
          value={label}
          onValue={setLabel}
          error={fieldError(error, "label") ?? (error ? (error as Error).message : null)}
        />
        <button type="submit">Save label</button>
        {saved && <span role="status">Saved.</span>}
      </form>
      <dl class="facts">
        <dt>Slug</dt>
        <dd>{app.slug}</dd>
        {signsIn && (
          <>
            <dt>Identity Provider metadata</dt>
            <dd>
              <a href={metadata}>{location.origin + metadata}</a>{" "}
              <a href={metadata} download={`${app.slug}-metadata.xml`}>
                Download metadata
              </a>
            </dd>
          </>
        )}
      </dl>
      <div class="actions">
        {app.status === "ACTIVE" ? (
          <ConfirmButton
            label="Deactivate app"
            title={`Deactivate ${app.label}?`}
            message="An inactive app signs no one in: everyone assigned loses access until it is activated again."
            confirmLabel="Deactivate"
            danger
            onConfirm={async () => {
              await api.write("POST", `${base}/lifecycle/deactivate`);
              onChange();
            }}
          />
        ) : (
          <button
            type="button"
            onClick={async () => {
              setError(null);
              await api.write("POST", `${base}/lifecycle/activate`).then(onChange, setError);
            }}
          >
            Activate app
          </button>
        )}
      </div>
    </div>
  );
}

const STATE_TEXT: Record<string, string> = {
  next: "Next (published, not signing yet)",
  active: "Active (signing)",
  previous: "Previous (still published)",
  retired: "Retired",
};

/**
 * Rotation in three steps, as AWS needs it: add the next key (metadata publishes both), update the
 * IdP in AWS, then activate it; the old key stays published as "previous" until retired.
 */
function SigningKeys({ app }: { app: App }) {
  const base = `/apps/${encodeURIComponent(app.id)}/credentials/keys`;
  const keys = useLoad(() => api.get<SigningKey[]>(base), [app.id]);
  const [error, setError] = useState<unknown>(null);
  const hasNext = keys.data?.some((k) => k.state === "next") ?? false;
  const change = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      keys.reload();
    } catch (e) {
      setError(e);
      throw e;
    }
  };
  return (
    <div class="panel">
      <h2>SAML signing keys</h2>
      <ErrorNote error={keys.error ?? error} />
      {keys.data?.length === 0 && <Empty>No signing key. Add one to sign people in.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <table>
          <caption class="sr-only">Signing keys</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col" class="wide">
                Created
              </th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td>
                  {STATE_TEXT[k.state] ?? k.state} <span class="muted">RSA {k.bits}</span>
                </td>
                <td class="wide">{when(k.created)}</td>
                <td>{new Date(k.notAfter).toLocaleDateString()}</td>
                <td>
                  {k.state === "next" && (
                    <ConfirmButton
                      label="Activate key"
                      title="Activate the next signing key?"
                      message="rolebridge signs with it at once. Update the IdP's metadata in AWS first, or sign-ins fail."
                      confirmLabel="Activate key"
                      onConfirm={() => change(() => api.write("POST", `${base}/${k.id}/lifecycle/activate`))}
                    />
                  )}
                  {k.state === "previous" && (
                    <ConfirmButton
                      label="Retire key"
                      title="Retire the previous signing key?"
                      message="It leaves the metadata; AWS stops trusting assertions signed with it."
                      confirmLabel="Retire key"
                      danger
                      onConfirm={() => change(() => api.write("POST", `${base}/${k.id}/lifecycle/retire`))}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="actions">
        <button
          type="button"
          disabled={hasNext}
          onClick={() => change(() => api.write("POST", base, {})).catch(() => undefined)}
        >
          Add next key
        </button>
        {hasNext && <span class="hint">Activate or wait: there is already a next key.</span>}
      </div>
    </div>
  );
}
