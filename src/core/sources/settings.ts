import { GROUP_SOURCE } from "../directory/validate.js";
import { type FieldError, validationFailed } from "../errors.js";
import { transportProblem } from "./ldap-client.js";
import {
  type AttributeMapping,
  type LdapSettings,
  PRESET_FILTERS,
  PRESET_MAPPINGS,
  PRESETS,
  type Preset,
} from "./model.js";

/** What an admin gives to add (or, in part, to change) an LDAP source; validated here for API and CLI alike. */
export interface AddLdapInput {
  name: string;
  url: string;
  startTls?: boolean | undefined;
  caBundle?: string | null | undefined;
  bindDn: string;
  bindPassword: string;
  peopleBase: string;
  peopleFilter?: string | undefined;
  groupsBase: string;
  groupsFilter?: string | undefined;
  preset?: Preset | undefined;
  /** Attributes that differ from the preset's. */
  mapping?: Partial<AttributeMapping> | undefined;
  nestedGroups?: boolean | undefined;
  maxDeactivationShare?: number | undefined;
  pageSize?: number | undefined;
  schedule?: Partial<LdapSettings["schedule"]> | undefined;
  passwordSignIn?: boolean | undefined;
}

export type SourcePatch = Partial<Omit<AddLdapInput, "name">>;

export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const DEFAULT_SHARE = 0.1;
const DEFAULT_PAGE = 500;
/** Okta's directory agents import about this often; a full sync a day also catches deletions. */
const DEFAULT_SCHEDULE = { incrementalMinutes: 15, fullMinutes: 24 * 60 };
/** Names that already mean something as a group source. */
const RESERVED = new Set(["local", "okta"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
const CONTROL = /[\u0000-\u001f\u007f]/;

function balanced(filter: string): boolean {
  if (!filter.startsWith("(") || !filter.endsWith(")")) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

export function settingsOf(input: AddLdapInput, production: boolean): LdapSettings {
  const errors: FieldError[] = [];
  const preset = input.preset ?? "openldap";
  if (!PRESETS.includes(preset)) errors.push({ path: "/preset", message: `must be one of ${PRESETS.join(", ")}` });
  if (
    !GROUP_SOURCE.test(input.name) ||
    input.name.includes(":") ||
    RESERVED.has(input.name) ||
    input.name.startsWith("csv")
  )
    errors.push({
      path: "/name",
      message:
        "must be 2-64 lower-case letters, digits and _ starting with a letter (e.g. active_directory, corp_ldap), not local, okta or csv…",
    });
  const settings: LdapSettings = {
    url: input.url,
    startTls: input.startTls ?? false,
    caBundle: input.caBundle ?? null,
    bindDn: input.bindDn,
    peopleBase: input.peopleBase,
    peopleFilter: input.peopleFilter ?? PRESET_FILTERS[preset]?.people ?? "",
    groupsBase: input.groupsBase,
    groupsFilter: input.groupsFilter ?? PRESET_FILTERS[preset]?.groups ?? "",
    preset,
    mapping: { ...PRESET_MAPPINGS[preset], ...(input.mapping ?? {}) },
    nestedGroups: input.nestedGroups ?? false,
    maxDeactivationShare: input.maxDeactivationShare ?? DEFAULT_SHARE,
    pageSize: input.pageSize ?? DEFAULT_PAGE,
    schedule: { ...DEFAULT_SCHEDULE, ...(input.schedule ?? {}) },
    passwordSignIn: input.passwordSignIn ?? false,
  };
  const transport = transportProblem(settings, production);
  if (transport) errors.push({ path: "/url", message: transport });
  for (const [path, value] of [
    ["/bindDn", settings.bindDn],
    ["/peopleBase", settings.peopleBase],
    ["/groupsBase", settings.groupsBase],
  ] as const) {
    if (!value || value.length > 1024 || CONTROL.test(value) || !value.includes("="))
      errors.push({ path, message: "must be a distinguished name (e.g. ou=people,dc=example,dc=com)" });
  }
  for (const [path, value] of [
    ["/peopleFilter", settings.peopleFilter],
    ["/groupsFilter", settings.groupsFilter],
  ] as const) {
    if (value.length > 4096 || CONTROL.test(value) || !balanced(value))
      errors.push({ path, message: "must be an LDAP filter in parentheses, e.g. (objectClass=inetOrgPerson)" });
  }
  if (!input.bindPassword) errors.push({ path: "/bindPassword", message: "is required" });
  if (settings.caBundle !== null && !settings.caBundle.includes("-----BEGIN CERTIFICATE-----"))
    errors.push({ path: "/caBundle", message: "must be PEM certificates" });
  const share = settings.maxDeactivationShare;
  if (!(Number.isFinite(share) && share >= 0 && share <= 1))
    errors.push({ path: "/maxDeactivationShare", message: "must be a share from 0 to 1 (0.1 is 10 %)" });
  if (!Number.isInteger(settings.pageSize) || settings.pageSize < 1 || settings.pageSize > 5000)
    errors.push({ path: "/pageSize", message: "must be a whole number from 1 to 5000" });
  for (const [key, value] of Object.entries(settings.schedule)) {
    if (value !== null && !(Number.isInteger(value) && value >= 1 && value <= 7 * 24 * 60))
      errors.push({
        path: `/schedule/${key}`,
        message: "must be null (on demand only) or whole minutes from 1 to 10080",
      });
  }
  if (errors.length) throw validationFailed("the directory source is invalid", errors);
  return settings;
}
