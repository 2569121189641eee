import { useState } from "preact/hooks";
import { api } from "../api";
import {
  Empty,
  ErrorNote,
  errorsByField,
  Field,
  Loading,
  PageTitle,
  Select,
  StatusBadge,
  useLoad,
} from "../components/ui";
import { Link, navigate } from "../router";
import type { App } from "../types";

export const APP_TYPES: Record<string, string> = {
  "aws-account-federation": "AWS Account Federation",
  "aws-iam-identity-center": "AWS IAM Identity Center",
  "generic-scim2": "SCIM 2.0",
};

export function AppsPage() {
  const { data, error } = useLoad(() => api.get<App[]>("/apps?limit=200"), []);
  return (
    <section>
      <PageTitle>Apps</PageTitle>
      <div class="columns">
        <div>
          <ErrorNote error={error} />
          {!data && !error && <Loading what="apps" />}
          {data?.length === 0 && (
            <Empty>No apps yet. Create one with the API or `rolebridge apps create` to federate into AWS.</Empty>
          )}
          {data && data.length > 0 && (
            <table>
              <caption class="sr-only">Apps</caption>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link href={`/apps/${encodeURIComponent(a.slug)}`}>{a.label}</Link>
                    </td>
                    <td>{APP_TYPES[a.type] ?? a.type}</td>
                    <td>
                      <StatusBadge status={a.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <CreateApp />
      </div>
    </section>
  );
}

type CreatableType = "aws-account-federation" | "aws-iam-identity-center";

/** A new app starts with an active signing key; its Sign On (or provisioning) settings come next. */
function CreateApp() {
  const [type, setType] = useState<CreatableType>("aws-account-federation");
  const [label, setLabel] = useState("");
  const [slug, setSlug] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = errorsByField(error, "/");
  return (
    <form
      class="panel"
      aria-labelledby="create-app"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const app = await api.write<App>("POST", "/apps", { type, label, slug });
          navigate(`/apps/${encodeURIComponent(app.slug)}${type === "aws-account-federation" ? "/sign-on" : ""}`);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="create-app">Create an app</h2>
      <Select
        label="App type"
        value={type}
        options={[
          ["aws-account-federation", APP_TYPES["aws-account-federation"]!],
          ["aws-iam-identity-center", APP_TYPES["aws-iam-identity-center"]!],
        ]}
        onValue={setType}
      />
      <Field label="Label" required value={label} onValue={setLabel} error={fields.label} />
      <Field
        label="Slug"
        required
        hint="Lower-case letters, digits and -, used in the app's URLs (e.g. aws-prod)"
        value={slug}
        onValue={setSlug}
        error={fields.slug}
      />
      {!fields.label && !fields.slug && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>
        Create app
      </button>
    </form>
  );
}
