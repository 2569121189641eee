import {
  type AwsSignOnSettings,
  clearCompiledSettings,
  clearGroupFilterCache,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  type GroupRef,
  resolveRoles,
} from "../../src/core/rolemap/index.js";

const TOTAL_GROUPS = 1_000_000;
const GROUPS_PER_USER = 500;

const settings: AwsSignOnSettings = {
  partition: "aws",
  identityProviderArn: "arn:aws:iam::111111111111:saml-provider/rolebridge",
  useGroupMapping: true,
  appFilter: "okta,active_directory",
  groupFilter: DEFAULT_GROUP_FILTER,
  roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
  joinAllRoles: false,
};

/** Deterministic PRNG so runs are comparable. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOURCES = ["local", "active_directory", "ldap", "csv:hr"];

/**
 * A directory of 1,000,000 group names: a fifth are AWS role groups, spread over four sources of
 * which the App Filter allows two. Only names are kept; like a store, a user's groups are loaded as
 * fresh objects for each sign-in.
 */
function directoryNames(): string[] {
  const names: string[] = new Array(TOTAL_GROUPS);
  for (let i = 0; i < TOTAL_GROUPS; i += 1) {
    names[i] =
      i % 5 === 0
        ? `aws#acct-${i % 997}#Role.${i % 211}-${i}#${String(100_000_000_000 + (i % 5003))}`
        : `team-${i % 1009}-project-${i}`;
  }
  return names;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

export interface ResolveBenchResult {
  users: number;
  coldP50Us: number;
  coldP99Us: number;
  warmP50Us: number;
  warmP99Us: number;
  rolesPerUser: number;
}

/** resolveRoles on users' 500 groups: cold (names never seen, so every name is regex-matched) and warm. */
export function benchResolve(budgetMs: number): ResolveBenchResult {
  const names = directoryNames();
  const random = mulberry32(42);
  const indexesOfUser = () => Array.from({ length: GROUPS_PER_USER }, () => Math.floor(random() * TOTAL_GROUPS));
  const load = (indexes: readonly number[]): GroupRef[] =>
    indexes.map((i) => ({ id: `g${i}`, name: names[i]!, source: SOURCES[i % SOURCES.length]! }));
  const pickUser = () => load(indexesOfUser());
  clearGroupFilterCache();
  clearCompiledSettings();
  resolveRoles({ settings, groups: pickUser(), userRoles: [] }); // compile the filter once

  const cold: number[] = [];
  let rolesPerUser = 0;
  const coldDeadline = performance.now() + budgetMs / 2;
  while (performance.now() < coldDeadline) {
    const groups = pickUser();
    const start = performance.now();
    const result = resolveRoles({ settings, groups, userRoles: [] });
    cold.push((performance.now() - start) * 1000);
    rolesPerUser += result.roles.length;
  }

  const user = indexesOfUser();
  const warm: number[] = [];
  const warmDeadline = performance.now() + budgetMs / 2;
  while (performance.now() < warmDeadline) {
    const groups = load(user);
    const start = performance.now();
    resolveRoles({ settings, groups, userRoles: [] });
    warm.push((performance.now() - start) * 1000);
  }
  cold.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  return {
    users: cold.length,
    coldP50Us: percentile(cold, 0.5),
    coldP99Us: percentile(cold, 0.99),
    warmP50Us: percentile(warm, 0.5),
    warmP99Us: percentile(warm, 0.99),
    rolesPerUser: rolesPerUser / cold.length,
  };
}
