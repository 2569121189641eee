import type { UserProfile, UserStatus } from "../directory/model.js";
import { GROUP_SOURCE, groupErrors, profileErrors } from "../directory/validate.js";
import type { FieldError } from "../errors.js";
import type { ColumnSpec } from "./csv.js";

/** The three CSV formats (docs/import.md) and their per-row rules, which are the API's rules. */
export const USER_COLUMNS: ColumnSpec = {
  required: ["login", "email"],
  optional: ["firstName", "lastName", "displayName", "status"],
};
export const GROUP_COLUMNS: ColumnSpec = { required: ["name"], optional: ["description", "source", "externalId"] };
export const MEMBERSHIP_COLUMNS: ColumnSpec = { required: ["group", "user"], optional: ["source"] };

export interface FieldProblem {
  column: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/**
 * Must equal the store's key for logins and group names (store/kysely/rows.ts `keyOf`): references
 * are resolved against the maps the store returns, keyed this way.
 */
export const nameKey = (s: string) => s.normalize("NFC").toLowerCase();
export const groupKey = (source: string, name: string) => `${source}\u0000${nameKey(name)}`;

const orNull = (s: string | undefined) => (s === undefined || s === "" ? null : s);
const column = (e: FieldError) => e.path.split("/").pop() ?? e.path;
const problems = (errors: FieldError[]): FieldProblem[] =>
  errors.map((e) => ({ column: column(e), message: e.message }));

export function parseUser(v: Map<string, string>): Parsed<{ profile: UserProfile; status: UserStatus }> {
  const profile: UserProfile = {
    login: v.get("login") ?? "",
    email: v.get("email") ?? "",
    firstName: orNull(v.get("firstName")),
    lastName: orNull(v.get("lastName")),
    displayName: orNull(v.get("displayName")),
  };
  const found = problems(profileErrors(profile));
  const rawStatus = (v.get("status") ?? "").toUpperCase();
  const status = (rawStatus || "ACTIVE") as UserStatus;
  if (status !== "ACTIVE" && status !== "STAGED") {
    found.push({
      column: "status",
      message: `must be ACTIVE or STAGED at import, not ${JSON.stringify(v.get("status"))}`,
    });
  }
  return found.length ? { ok: false, problems: found } : { ok: true, value: { profile, status } };
}

export interface GroupRow {
  name: string;
  description: string | null;
  source: string;
  externalId: string | null;
}

export function parseGroup(v: Map<string, string>): Parsed<GroupRow> {
  const g: GroupRow = {
    name: v.get("name") ?? "",
    description: orNull(v.get("description")),
    source: orNull(v.get("source")) ?? "local",
    externalId: orNull(v.get("externalId")),
  };
  const found = problems(groupErrors(g));
  return found.length ? { ok: false, problems: found } : { ok: true, value: g };
}

export interface MembershipRow {
  group: string;
  source: string;
  user: string;
}

export function parseMembership(v: Map<string, string>): Parsed<MembershipRow> {
  const m: MembershipRow = {
    group: v.get("group") ?? "",
    source: orNull(v.get("source")) ?? "local",
    user: v.get("user") ?? "",
  };
  const found: FieldProblem[] = [];
  if (!m.group) found.push({ column: "group", message: "is required" });
  if (!m.user) found.push({ column: "user", message: "is required" });
  if (!GROUP_SOURCE.test(m.source)) {
    found.push({ column: "source", message: `${JSON.stringify(m.source)} is not a group source` });
  }
  return found.length ? { ok: false, problems: found } : { ok: true, value: m };
}
