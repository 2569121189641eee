import { compileGroupFilter } from "./group-filter.js";

export interface GroupFilterLintMiss {
  groupName: string;
  /** Why the filter probably misses it, for the admin; null when no likely cause is recognised. */
  hint: string | null;
}

export interface GroupFilterLintResult {
  checked: number;
  matched: number;
  missed: GroupFilterLintMiss[];
}

export interface GroupFilterLintOptions {
  /** Which names are meant to be role groups; defaults to names starting with `aws#` or `aws_`. */
  looksLikeRoleGroup?: (groupName: string) => boolean;
}

const DEFAULT_LOOKS_LIKE_ROLE_GROUP = (name: string) => /^aws[#_]/i.test(name);
const UNUSUAL_CHARS = /[^A-Za-z0-9_#-]/g;
/** Every role name IAM allows, commas included, to explain why a stricter filter misses a group. */
const PERMISSIVE_FILTER =
  "^aws#(?{{alias}}[^#]+)#(?{{role}}(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64})#(?{{accountid}}\\d{12})$";

function hintFor(groupName: string): string | null {
  const permissive = compileGroupFilter(PERMISSIVE_FILTER).match(groupName);
  const role = permissive?.captures.role;
  if (role?.includes(",")) {
    return `role name "${role}" contains ",", which a SAML Role value cannot carry (AWS splits it at commas); rename the role`;
  }
  if (role !== undefined) {
    const unusual = [...new Set(role.match(UNUSUAL_CHARS) ?? [])];
    if (unusual.length > 0) {
      return `role name "${role}" contains ${unusual.map((c) => `"${c}"`).join(", ")}, which the filter's role capture does not accept`;
    }
    return null;
  }
  const parts = groupName.split("#");
  if (parts.length === 4 && !/^\d{12}$/.test(parts[3] ?? "")) return `account id "${parts[3]}" is not 12 digits`;
  if (parts.length !== 4 && groupName.toLowerCase().startsWith("aws#")) {
    return `has ${parts.length - 1} "#" separators; aws#<alias>#<role>#<account> has 3`;
  }
  return null;
}

/**
 * Lists role-looking groups that a Group Filter would not match — e.g. Okta's default filter
 * silently skips role names containing `.`, `@`, `+`, `=` or `,`, a documented cause of failed sign-ins.
 * @throws GroupFilterSyntaxError, GroupFilterMissingCaptureError for an invalid filter
 */
export function lintGroupFilter(
  filterSource: string,
  groupNames: Iterable<string>,
  options: GroupFilterLintOptions = {},
): GroupFilterLintResult {
  const filter = compileGroupFilter(filterSource);
  const looksLikeRoleGroup = options.looksLikeRoleGroup ?? DEFAULT_LOOKS_LIKE_ROLE_GROUP;
  const result: GroupFilterLintResult = { checked: 0, matched: 0, missed: [] };
  for (const groupName of groupNames) {
    if (!looksLikeRoleGroup(groupName)) continue;
    result.checked += 1;
    if (filter.match(groupName)) result.matched += 1;
    else result.missed.push({ groupName, hint: hintFor(groupName) });
  }
  return result;
}
