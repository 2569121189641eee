import { RE2JS, RE2JSException, RE2JSSyntaxException } from "re2js";
import {
  GroupFilterMissingCaptureError,
  GroupFilterSyntaxError,
  GroupFilterTooCostlyError,
  RolemapError,
} from "./errors.js";
import { literalPrefix, translateGroupFilter } from "./group-filter-syntax.js";

/**
 * Okta's default filter, accepted verbatim: `aws#<alias>#<role>#<account>` with role names limited
 * to `[\w-]` — which is why role names with `.`, `@`, `+`, `=` or `,` never match it.
 */
export const OKTA_DEFAULT_GROUP_FILTER = "^aws\\#\\S+\\#(?{{role}}[\\w\\-]+)\\#(?{{accountid}}\\d+)$";

/** Our default: same naming scheme, every legal IAM role name, 12-digit accounts, alias captured. */
// The role capture takes an optional IAM path before the name (`support/Tier1_Support`): a role under a
// path has it in its ARN, and AWS refuses a Role value that leaves it out. It takes every character IAM
// allows in a role name except ",": the Role attribute is "<provider ARN>,<role ARN>", and a third comma-
// separated part is dropped or misread by the service provider.
export const DEFAULT_GROUP_FILTER =
  "^aws#(?{{alias}}[^#]+)#(?{{role}}(?:[\\w+=.@-]+/)*[\\w+=.@-]{1,64})#(?{{accountid}}\\d{12})$";

export const REQUIRED_CAPTURES = ["role", "accountid"] as const;

/**
 * The budget of a compiled filter, in RE2 instructions. Matching is linear, but in program size × name
 * length, for every group at every sign-in: the default filter is ~160 instructions, `.{0,1000}` alone
 * ~2,000 (about 2 ms per 200-character name, per group, per sign-in).
 */
export const MAX_GROUP_FILTER_PROGRAM_SIZE = 1000;

export interface GroupFilterMatch {
  /** Every named capture that participated in the match. */
  captures: Readonly<Record<string, string>>;
}

export interface CompiledGroupFilter {
  readonly source: string;
  readonly captureNames: readonly string[];
  /** Text every matching name starts with ("" if none); names without it are rejected without the regex. */
  readonly literalPrefix: string;
  /**
   * Whole-name match (like Java's `Matcher.matches()`; Okta's regex group filters behave so, its
   * docs write `.*groupA.*` to match a substring), so `^`/`$` are implied: a filter cannot
   * accidentally grant a role to `evil-aws#x#Admin#123456789012` by matching a substring.
   */
  match(groupName: string): GroupFilterMatch | null;
}

export interface CompileOptions {
  /** Captures that must be present; defaults to `role` and `accountid`. Pass [] to only check syntax. */
  requiredCaptures?: readonly string[];
}

// Results per group name: names repeat across users, and capture extraction on the NFA costs ~10 µs.
const MATCH_CACHE_LIMIT = 50_000;
// Real group names are short; a hostile 100k-char name must not pin memory in the cache.
const MAX_CACHED_NAME_LENGTH = 1024;
const FILTER_CACHE_LIMIT = 256;
const compiledBySource = new Map<string, CompiledGroupFilter>();

function toSyntaxError(source: string, error: unknown, translate: (offset: number) => number, re2: string) {
  if (error instanceof RE2JSSyntaxException) {
    const fragment = error.getPattern();
    const at = fragment ? re2.indexOf(fragment) : -1;
    return new GroupFilterSyntaxError(
      source,
      at === -1 ? 0 : translate(at),
      fragment ? `${error.getDescription()}: \`${fragment}\`` : error.getDescription(),
    );
  }
  if (error instanceof RE2JSException) return new GroupFilterSyntaxError(source, 0, error.message);
  throw error;
}

function buildFilter(source: string): CompiledGroupFilter {
  const translated = translateGroupFilter(source);
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(translated.re2Source);
  } catch (error) {
    throw toSyntaxError(source, error, translated.toSourcePosition, translated.re2Source);
  }
  if (pattern.programSize() > MAX_GROUP_FILTER_PROGRAM_SIZE) {
    throw new GroupFilterTooCostlyError(source, pattern.programSize(), MAX_GROUP_FILTER_PROGRAM_SIZE);
  }
  const groupIndexes = Object.entries(pattern.namedGroups()) as Array<[string, number]>;
  const prefix = literalPrefix(translated.re2Source);
  const cache = new Map<string, GroupFilterMatch | null>();

  const evaluate = (groupName: string): GroupFilterMatch | null => {
    // Without a literal prefix to pre-screen names, the DFA test is the cheap rejection.
    if (prefix === "" && !pattern.testExact(groupName)) return null;
    const matcher = pattern.matcher(groupName);
    if (!matcher.matches()) return null;
    const captures: Record<string, string> = {};
    for (const [name, index] of groupIndexes) {
      const value = matcher.group(index);
      if (value !== null && value !== undefined) captures[name] = value;
    }
    return { captures: Object.freeze(captures) };
  };

  return {
    source,
    captureNames: translated.captureNames,
    literalPrefix: prefix,
    match(groupName: string): GroupFilterMatch | null {
      if (!groupName.startsWith(prefix)) return null;
      const cached = cache.get(groupName);
      if (cached !== undefined) return cached;
      const result = evaluate(groupName);
      if (groupName.length > MAX_CACHED_NAME_LENGTH) return result;
      if (cache.size >= MATCH_CACHE_LIMIT) cache.clear();
      cache.set(groupName, result);
      return result;
    },
  };
}

/**
 * Compiles (and validates) a Group Filter written in Okta's syntax. Compiled filters are cached by
 * source string, so calling this on every sign-in costs a map lookup.
 * @throws GroupFilterSyntaxError, GroupFilterMissingCaptureError, GroupFilterTooCostlyError
 */
export function compileGroupFilter(source: string, options: CompileOptions = {}): CompiledGroupFilter {
  let filter = compiledBySource.get(source);
  if (filter === undefined) {
    filter = buildFilter(source);
    if (compiledBySource.size >= FILTER_CACHE_LIMIT) {
      const oldest = compiledBySource.keys().next().value;
      if (oldest !== undefined) compiledBySource.delete(oldest);
    }
    compiledBySource.set(source, filter);
  }
  const required = options.requiredCaptures ?? REQUIRED_CAPTURES;
  const missing = required.filter((name) => !filter.captureNames.includes(name));
  if (missing.length > 0) throw new GroupFilterMissingCaptureError(source, missing);
  return filter;
}

/** Validation for the settings form: returns the error instead of throwing. */
export function validateGroupFilter(source: string): RolemapError | null {
  try {
    compileGroupFilter(source);
    return null;
  } catch (error) {
    if (error instanceof RolemapError) return error;
    throw error;
  }
}

/** Forgets compiled filters and their per-name results (tests and cold-start benchmarks). */
export function clearGroupFilterCache(): void {
  compiledBySource.clear();
}
