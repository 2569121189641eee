import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../api";
import { ExplainResult } from "../components/explain";
import { Checkbox, ErrorNote, errorsByField, Field, Select } from "../components/ui";
import type { App, Explain } from "../types";

/** The Sign On settings this tab edits, as the form holds them (text inputs hold strings). */
interface Form {
  partition: string;
  acsUrl: string;
  signinEndpointUrl: string;
  identityProviderArn: string;
  defaultSamlProviderName: string;
  samlProviderNames: string;
  sessionDuration: string;
  joinAllRoles: boolean;
  useGroupMapping: boolean;
  appFilter: string;
  groupFilter: string;
  roleValuePattern: string;
  roleSessionNameSource: string;
}

const text = (v: unknown) => (typeof v === "string" ? v : "");

function formOf(settings: Record<string, unknown>): Form {
  const names = (settings.samlProviderNames ?? {}) as Record<string, string>;
  return {
    partition: text(settings.partition) || "aws",
    acsUrl: text(settings.acsUrl),
    signinEndpointUrl: text(settings.signinEndpointUrl),
    identityProviderArn: text(settings.identityProviderArn),
    defaultSamlProviderName: text(settings.defaultSamlProviderName),
    samlProviderNames: Object.entries(names)
      .map(([account, name]) => `${account}=${name}`)
      .join(", "),
    sessionDuration: String(settings.sessionDuration ?? 3600),
    joinAllRoles: settings.joinAllRoles === true,
    useGroupMapping: settings.useGroupMapping === true,
    appFilter: text(settings.appFilter),
    groupFilter: text(settings.groupFilter),
    roleValuePattern: text(settings.roleValuePattern),
    roleSessionNameSource: text(settings.roleSessionNameSource) || "login",
  };
}

/** The settings as the API takes them; only the ones that differ from what is saved are sent. */
function changesOf(saved: Form, form: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const orNull = (v: string) => (v.trim() === "" ? null : v.trim());
  for (const key of Object.keys(form) as (keyof Form)[]) {
    if (form[key] === saved[key]) continue;
    const v = form[key];
    if (key === "sessionDuration") out[key] = Number(v);
    else if (key === "samlProviderNames") {
      out[key] = Object.fromEntries(
        String(v)
          .split(/[,\n]/)
          .map((pair) => pair.trim())
          .filter(Boolean)
          .map((pair) => pair.split("=").map((s) => s.trim())),
      );
    } else if (
      key === "acsUrl" ||
      key === "signinEndpointUrl" ||
      key === "identityProviderArn" ||
      key === "defaultSamlProviderName"
    )
      out[key] = orNull(String(v));
    else out[key] = v;
  }
  return out;
}

/**
 * Okta's Sign On tab for an AWS Account Federation app. Every change is checked by the API's own
 * validation as you type, and the preview shows the roles a picked person would get with the unsaved
 * settings, and which of their groups the filters reject. Save writes them (If-Match: the version shown).
 */
export function SignOnTab({ app, onSaved }: { app: App; onSaved: () => void }) {
  const saved = useMemo(() => formOf(app.settings), [app.settings]);
  const [form, setForm] = useState(saved);
  const [person, setPerson] = useState("");
  const [preview, setPreview] = useState<Explain | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [savedNote, setSavedNote] = useState(false);
  useEffect(() => setForm(saved), [saved]);
  const changes = changesOf(saved, form);
  const changeKey = JSON.stringify(changes);

  useEffect(() => {
    let live = true;
    const t = setTimeout(async () => {
      if (!person.trim()) {
        setPreview(null);
        setProblem(null);
        return;
      }
      try {
        const body = { user: person.trim(), settings: changes };
        const result = await api.write<Explain>("POST", `/apps/${encodeURIComponent(app.id)}/explain`, body);
        if (!live) return;
        setPreview(result);
        setProblem(null);
      } catch (e) {
        if (!live) return;
        // The last good preview stays on screen (no jump) while a setting is being fixed.
        setProblem(e);
      }
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [changeKey, person, app.id]);

  const fieldErrors = { ...errorsByField(problem, "/settings/"), ...errorsByField(saveError, "/settings/") };
  const set = (patch: Partial<Form>) => {
    setSavedNote(false);
    setForm({ ...form, ...patch });
  };
  const otherProblem = problem && Object.keys(errorsByField(problem, "/settings/")).length === 0 ? problem : null;

  return (
    <div class="signon">
      <form
        class="panel"
        aria-labelledby="signon-settings"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaveError(null);
          try {
            await api.write("POST", `/apps/${encodeURIComponent(app.id)}`, { settings: changes }, app.version);
            setSavedNote(true);
            onSaved();
          } catch (err) {
            setSaveError(err);
          }
        }}
      >
        <h2 id="signon-settings">Sign On settings</h2>
        <Select
          label="Environment"
          value={form.partition}
          options={[
            ["aws", "AWS (commercial)"],
            ["aws-us-gov", "AWS GovCloud (US)"],
            ["aws-cn", "AWS China"],
          ]}
          onValue={(partition) => set({ partition })}
        />
        <Field
          label="ACS URL"
          hint="Empty: the environment's sign-in endpoint"
          value={form.acsUrl}
          onValue={(acsUrl) => set({ acsUrl })}
          error={fieldErrors.acsUrl}
        />
        <Field
          label="Sign-in endpoint URL (sandbox only)"
          hint="An AWS look-alike's sign-in page: the browser posts there; the Response still names the ACS"
          value={form.signinEndpointUrl}
          onValue={(signinEndpointUrl) => set({ signinEndpointUrl })}
          error={fieldErrors.signinEndpointUrl}
        />
        <Field
          label="Identity Provider ARN"
          hint="Used with one account; per-account provider names cover several"
          value={form.identityProviderArn}
          onValue={(identityProviderArn) => set({ identityProviderArn })}
          error={fieldErrors.identityProviderArn}
        />
        <Field
          label="SAML provider name in every account"
          value={form.defaultSamlProviderName}
          onValue={(defaultSamlProviderName) => set({ defaultSamlProviderName })}
          error={fieldErrors.defaultSamlProviderName}
        />
        <Field
          label="Per-account provider names"
          hint="account=name, separated by commas, e.g. 222233334444=okta"
          value={form.samlProviderNames}
          onValue={(samlProviderNames) => set({ samlProviderNames })}
          error={fieldErrors.samlProviderNames}
        />
        <Field
          label="Session duration (seconds)"
          type="number"
          hint="900 to 43200"
          value={form.sessionDuration}
          onValue={(sessionDuration) => set({ sessionDuration })}
          error={fieldErrors.sessionDuration}
        />
        <Checkbox
          label="Join all roles"
          hint="People with their own assignment also get their groups' roles"
          checked={form.joinAllRoles}
          onValue={(joinAllRoles) => set({ joinAllRoles })}
        />
        <Checkbox
          label="Use Group Mapping"
          hint="Roles come from group names matched by the Group Filter"
          checked={form.useGroupMapping}
          onValue={(useGroupMapping) => set({ useGroupMapping })}
        />
        <Field
          label="App Filter"
          hint="Group sources group mapping reads, e.g. active_directory"
          value={form.appFilter}
          onValue={(appFilter) => set({ appFilter })}
          error={fieldErrors.appFilter}
        />
        <Field
          label="Group Filter"
          value={form.groupFilter}
          onValue={(groupFilter) => set({ groupFilter })}
          error={fieldErrors.groupFilter}
        />
        <Field
          label="Role Value Pattern"
          value={form.roleValuePattern}
          onValue={(roleValuePattern) => set({ roleValuePattern })}
          error={fieldErrors.roleValuePattern}
        />
        <Select
          label="Role session name from"
          value={form.roleSessionNameSource}
          options={[
            ["login", "Login"],
            ["email", "Email"],
          ]}
          onValue={(roleSessionNameSource) => set({ roleSessionNameSource })}
        />
        <ErrorNote
          error={saveError && Object.keys(errorsByField(saveError, "/settings/")).length === 0 ? saveError : null}
        />
        <div class="actions">
          <button type="submit" disabled={changeKey === "{}"}>
            Save settings
          </button>
          <button type="button" class="secondary" disabled={changeKey === "{}"} onClick={() => setForm(saved)}>
            Discard changes
          </button>
          {savedNote && <span role="status">Saved.</span>}
        </div>
      </form>
      <section class="panel" aria-labelledby="signon-preview">
        <h2 id="signon-preview">Preview</h2>
        <Field
          label="Preview as (login)"
          type="email"
          hint="The roles this person would get with the settings on the left, saved or not"
          value={person}
          onValue={setPerson}
        />
        <ErrorNote error={otherProblem} />
        {problem && !otherProblem && (
          <p class="notice" role="status">
            The preview shows the last valid settings: correct the highlighted field to update it.
          </p>
        )}
        {preview && <ExplainResult data={preview} />}
        {!person.trim() && (
          <p class="empty">
            Enter a person's login to see their roles and why; their preview also checks each change as you type.
          </p>
        )}
      </section>
    </div>
  );
}
