import { GROUP_SOURCE } from "../directory/validate.js";
import { AppFilterError } from "./errors.js";

/**
 * App Filter: the group sources allowed to grant roles through group mapping. It exists so that a
 * look-alike group created in another source (e.g. an HR-synced CSV) cannot grant a role.
 * Sources: `local` (alias `okta`, as Okta admins write it), `active_directory`, `ldap`, `csv:<name>`, or any
 * other source name the directory accepts (e.g. `bamboohr` for an HR import), as Okta's filter names apps.
 */
export type AppFilter = ReadonlySet<string>;

const CSV_SOURCE = /^csv:([\w.-]{1,128})$/i;
const parsedByText = new Map<string, AppFilter>();

/** Canonical spelling of a group source, used for both App Filter entries and groups' sources. */
export function normalizeGroupSource(source: string): string {
  const trimmed = source.trim();
  const csv = CSV_SOURCE.exec(trimmed);
  if (csv) return `csv:${csv[1]}`;
  const lower = trimmed.toLowerCase();
  return lower === "okta" ? "local" : lower;
}

/** @throws AppFilterError on an unknown or malformed entry */
export function parseAppFilter(text: string): AppFilter {
  const cached = parsedByText.get(text);
  if (cached) return cached;
  const sources = new Set<string>();
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") {
      if (text.trim() === "") continue;
      throw new AppFilterError(text, raw, "empty entry (doubled or trailing comma)");
    }
    const normalized = normalizeGroupSource(entry);
    if (!GROUP_SOURCE.test(normalized)) {
      throw new AppFilterError(
        text,
        entry,
        entry.toLowerCase().startsWith("csv")
          ? 'CSV sources are written "csv:<name>" with a name of letters, digits and _.-'
          : "not a group source name; use local (or okta), active_directory, ldap, csv:<name> or another source's name",
      );
    }
    sources.add(normalized);
  }
  if (parsedByText.size > 256) parsedByText.clear();
  parsedByText.set(text, sources);
  return sources;
}

const normalizedSources = new Map<string, string>();

export function appFilterAllows(filter: AppFilter, groupSource: string): boolean {
  // A directory has a handful of distinct sources; normalizing each once keeps this a map lookup.
  let normalized = normalizedSources.get(groupSource);
  if (normalized === undefined) {
    normalized = normalizeGroupSource(groupSource);
    if (normalizedSources.size > 1024) normalizedSources.clear();
    normalizedSources.set(groupSource, normalized);
  }
  return filter.has(normalized);
}
