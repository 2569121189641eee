import { validationFailed } from "../errors.js";
import { compileGroupFilter } from "../rolemap/group-filter.js";

/** The guide's recommended form: `aws#[account alias]#[role name]#[account #]`. */
export const DEFAULT_NAME_TEMPLATE = "aws#{alias}#{role}#{account}";

const PLACEHOLDERS = ["alias", "role", "account"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
type Part = { literal: string } | { placeholder: Placeholder };

export interface NameTemplate {
  source: string;
  parts: Part[];
  /** The literal text's punctuation: none of it may appear inside a captured value. */
  delimiters: Set<string>;
}

/** A role's name in a group name: its IAM path (without the leading /) and name, as in its ARN. */
export const roleWithPath = (arn: string): string => arn.slice(arn.indexOf(":role/") + 6);

export function parseNameTemplate(source: string): NameTemplate {
  const parts: Part[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf("{", i);
    const literal = source.slice(i, open === -1 ? source.length : open);
    if (literal) parts.push({ literal });
    if (open === -1) break;
    const close = source.indexOf("}", open);
    const name = close === -1 ? "" : source.slice(open + 1, close);
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      errors.push(`unknown placeholder at ${open}: use {alias}, {role} and {account}`);
      break;
    }
    if (seen.has(name)) errors.push(`{${name}} appears twice`);
    seen.add(name);
    const previous = parts[parts.length - 1];
    if (previous && "placeholder" in previous) errors.push(`{${previous.placeholder}} and {${name}} need a delimiter`);
    parts.push({ placeholder: name as Placeholder });
    i = close + 1;
  }
  for (const required of ["role", "account"]) if (!seen.has(required)) errors.push(`{${required}} is required`);
  if (errors.length)
    throw validationFailed(
      "the group name template is invalid",
      errors.map((message) => ({ path: "/template", message })),
    );
  const delimiters = new Set<string>();
  for (const p of parts)
    if ("literal" in p) for (const ch of p.literal) if (!/[A-Za-z0-9]/.test(ch)) delimiters.add(ch);
  return { source, parts, delimiters };
}

export function renderGroupName(
  template: NameTemplate,
  values: { alias: string | null; roleArn: string; accountId: string },
): string {
  const value: Record<Placeholder, string> = {
    alias: values.alias ?? values.accountId,
    role: roleWithPath(values.roleArn),
    account: values.accountId,
  };
  return template.parts.map((p) => ("literal" in p ? p.literal : value[p.placeholder])).join("");
}

const REGEX_META = /[\\.^$|?*+()[\]{}]/g;

/** A character class of `chars` without the template's delimiters (`\w` kept when `_` is allowed). */
function classOf(template: NameTemplate, chars: string): string {
  const allowed = [...chars].filter((c) => !template.delimiters.has(c));
  const word = template.delimiters.has("_") ? "A-Za-z0-9" : "\\w";
  // "-" last, where it needs no escape.
  return `[${word}${allowed.sort((a, b) => (a === "-" ? 1 : b === "-" ? -1 : 0)).join("")}]`;
}

/**
 * The Group Filter that reads a template's names back: whole-name, alias/role/account captured, the role
 * with its IAM path. For the default template this is rolebridge's default filter, character for character.
 */
export function groupFilterFor(template: NameTemplate): string {
  const capture: Record<Placeholder, string> = {
    alias: `(?{{alias}}[^${[...template.delimiters].map((c) => c.replace(REGEX_META, "\\$&")).join("")}]+)`,
    role: `(?{{role}}(?:${classOf(template, "+=.@-")}+/)*${classOf(template, "+=,.@-")}{1,64})`,
    account: "(?{{accountid}}\\d{12})",
  };
  const body = template.parts
    .map((p) => ("literal" in p ? p.literal.replace(REGEX_META, "\\$&") : capture[p.placeholder]))
    .join("");
  const filter = `^${body}$`;
  compileGroupFilter(filter);
  return filter;
}
