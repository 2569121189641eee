import { Checkbox, errorsByField, Field, Select } from "../components/ui";
import type { App } from "../types";

/** The body every /migrations call takes (the same fields as `rolebridge migrate`). */
export interface MigrationForm {
  from: string;
  to: string;
  template: string;
  source: string;
  groupFilter: string;
  providerName: string;
  adminRole: string;
  static: boolean;
  offline: boolean;
  skipAws: boolean;
}

export const initialForm = (from: string): MigrationForm => ({
  from,
  to: "aws-groups",
  template: "",
  source: "",
  groupFilter: "",
  providerName: "",
  adminRole: "",
  static: false,
  offline: false,
  skipAws: false,
});

/** Only what the admin set: the API's defaults stand for the rest, as on the command line. */
export function bodyOf(f: MigrationForm): Record<string, string | boolean> {
  const body: Record<string, string | boolean> = { from: f.from, to: f.to.trim() };
  for (const k of ["template", "source", "groupFilter", "providerName", "adminRole"] as const) {
    const v = f[k].trim();
    if (v) body[k] = v;
  }
  for (const k of ["static", "offline", "skipAws"] as const) if (f[k]) body[k] = true;
  return body;
}

/** Apps in legacy API mode: the ones a migration starts from. */
export const legacyApps = (apps: App[]) =>
  apps.filter(
    (a) => a.type === "aws-account-federation" && (a.settings as { api?: { enabled?: boolean } }).api?.enabled === true,
  );

export function MigrationOptions(props: {
  apps: App[];
  form: MigrationForm;
  onForm: (f: MigrationForm) => void;
  /** The last call's error: a field it names is shown at that field. */
  error: unknown;
}) {
  const { form, onForm } = props;
  const at = errorsByField(props.error, "/");
  const set =
    <K extends keyof MigrationForm>(k: K) =>
    (v: MigrationForm[K]) =>
      onForm({ ...form, [k]: v });
  return (
    <div class="panel">
      <h2>What to migrate</h2>
      <div class="signon">
        <Select
          label="From (legacy API-mode app)"
          value={form.from}
          options={props.apps.map((a) => [a.slug, `${a.label} (${a.slug})`] as const)}
          onValue={set("from")}
        />
        <Field
          label="New app slug"
          required
          value={form.to}
          onValue={set("to")}
          error={at.to}
          hint="The group-mapping app the migration creates."
        />
      </div>
      <details>
        <summary>More options</summary>
        <div class="signon">
          <Field
            label="Group name template"
            value={form.template}
            onValue={set("template")}
            error={at.template}
            hint="Default aws#{alias}#{role}#{account}; {role} and {account} are required."
          />
          <Field
            label="Group source"
            value={form.source}
            onValue={set("source")}
            error={at.source}
            hint="Where the role groups are created (default local); the new App Filter trusts exactly it."
          />
          <Field
            label="Group Filter"
            value={form.groupFilter}
            onValue={set("groupFilter")}
            error={at.groupFilter}
            hint="Default: generated from the template."
          />
          <Field
            label="SAML provider name"
            value={form.providerName}
            onValue={set("providerName")}
            error={at.providerName}
            hint="Default: each account keeps the legacy app's provider."
          />
          <Field
            label="Admin role in each account"
            value={form.adminRole}
            onValue={set("adminRole")}
            error={at.adminRole}
            hint="Default: the legacy app's cross-account role."
          />
        </div>
        <Checkbox
          label="Static copies"
          checked={form.static}
          onValue={set("static")}
          hint="Copy today's members instead of membership rules."
        />
        <Checkbox
          label="Offline"
          checked={form.offline}
          onValue={set("offline")}
          hint="Do not read AWS; use the last refresh's role lists."
        />
        <Checkbox
          label="Leave AWS alone at apply"
          checked={form.skipAws}
          onValue={set("skipAws")}
          hint="SAML set up with the CloudFormation templates."
        />
      </details>
    </div>
  );
}
