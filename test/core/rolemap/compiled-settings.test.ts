// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Role Value Patterns use Okta's literal ${name} syntax.
import { describe, expect, it } from "vitest";
import {
  type AwsSignOnSettings,
  clearCompiledSettings,
  clearGroupFilterCache,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  type GroupRef,
  OKTA_DEFAULT_GROUP_FILTER,
  OKTA_DEFAULT_ROLE_VALUE_PATTERN,
  type ResolveRolesInput,
  resolveRoles,
} from "../../../src/core/rolemap/index.js";

const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const ROLES = ["Admin", "Read.Only", "support/Tier1", "Dev", "bad name!"];
const SOURCES = ["local", "active_directory", "ldap", "csv:hr"];

const base: AwsSignOnSettings = {
  partition: "aws",
  samlProviderNames: { "222222222222": "corp-idp" },
  defaultSamlProviderName: null,
  identityProviderArn: null,
  useGroupMapping: true,
  appFilter: "okta,active_directory",
  groupFilter: DEFAULT_GROUP_FILTER,
  roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
  joinAllRoles: false,
};

/** Settings that exercise every branch the compiled outcomes depend on. */
const VARIANTS: AwsSignOnSettings[] = [
  base,
  { ...base, defaultSamlProviderName: "okta", joinAllRoles: true },
  {
    ...base,
    identityProviderArn: "arn:aws:iam::111111111111:saml-provider/rolebridge",
    groupAssignmentMode: "priority",
  },
  { ...base, groupFilter: OKTA_DEFAULT_GROUP_FILTER, roleValuePattern: OKTA_DEFAULT_ROLE_VALUE_PATTERN },
  { ...base, useGroupMapping: false, defaultSamlProviderName: "legacy" },
  { ...base, appFilter: "ldap,csv:hr", samlProviderNames: {} },
];

/** Deterministic PRNG: the same inputs on every run. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function inputs(count: number): Array<Omit<ResolveRolesInput, "settings">> {
  const random = mulberry32(9);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const arn = () => `arn:aws:iam::${pick(ACCOUNTS)}:role/${pick(ROLES)}`;
  const assigned = () =>
    random() < 0.2
      ? { roleArn: arn(), providerArn: `arn:aws:iam::${pick(ACCOUNTS)}:saml-provider/explicit` }
      : { roleArn: random() < 0.05 ? "arn:aws:iam::12:role/x" : arn() };
  return Array.from({ length: count }, () => {
    const groups: GroupRef[] = Array.from({ length: Math.floor(random() * 6) }, (_, i) => ({
      id: `g${Math.floor(random() * 40)}-${i}`,
      name:
        random() < 0.7
          ? `aws#alias${Math.floor(random() * 3)}#${pick(ROLES)}#${pick(ACCOUNTS)}`
          : `team-${Math.floor(random() * 5)}`,
      source: pick(SOURCES),
    }));
    return {
      groups,
      userRoles: Array.from({ length: Math.floor(random() * 3) }, assigned),
      groupRoles: groups
        .filter(() => random() < 0.5)
        .map((g) => ({
          groupId: g.id,
          roles: Array.from({ length: 1 + Math.floor(random() * 2) }, assigned),
          priority: random() < 0.8 ? Math.floor(random() * 5) : null,
        })),
    };
  });
}

/** The cold path: nothing compiled, every filter and outcome computed afresh for this one call. */
function uncached(input: ResolveRolesInput) {
  clearCompiledSettings();
  clearGroupFilterCache();
  return resolveRoles({ ...input, settings: structuredClone(input.settings) });
}

describe("resolveRoles with settings compiled once", () => {
  it("gives the same result from the cache as from a cold compilation, for every kind of input", () => {
    const cases = inputs(150);
    const seen = new Set<string>();
    for (const settings of VARIANTS) {
      // The cached side: one settings object for every person (as an app is), each input asked twice.
      const warm = cases.map((c) => resolveRoles({ ...c, settings }));
      const again = cases.map((c) => resolveRoles({ ...c, settings }));
      const cold = cases.map((c) => uncached({ ...c, settings }));
      expect(again).toEqual(warm);
      expect(warm).toEqual(cold);
      for (const r of warm)
        for (const [field, value] of Object.entries(r)) if (Array.isArray(value) && value.length) seen.add(field);
    }
    // The inputs reach every outcome the cache holds: mapped and assigned roles, and each kind of refusal.
    expect([...seen].sort()).toEqual([
      "ignoredGroupAssignments",
      "invalidAssignments",
      "invalidRenders",
      "rejectedByAppFilter",
      "roles",
      "unmatchedByGroupFilter",
    ]);
  });

  it("recompiles when the same settings object is changed in place", () => {
    const settings = structuredClone(base);
    const input = { groups: [{ id: "g", name: "aws#a#Admin#111111111111", source: "local" }], userRoles: [] };
    expect(resolveRoles({ ...input, settings }).roles).toEqual([]);
    settings.defaultSamlProviderName = "okta";
    expect(resolveRoles({ ...input, settings }).roles.map((r) => r.providerArn)).toEqual([
      "arn:aws:iam::111111111111:saml-provider/okta",
    ]);
    settings.appFilter = "ldap";
    expect(resolveRoles({ ...input, settings }).roles).toEqual([]);
  });

  it("hands out copies: a caller changing a result does not change the next one", () => {
    const input = {
      settings: base,
      groups: [{ id: "g", name: "aws#a#Admin#222222222222", source: "local" }],
      userRoles: [{ roleArn: "arn:aws:iam::222222222222:role/Dev" }],
    };
    const first = resolveRoles(input);
    for (const role of first.roles) {
      role.roleName = "changed";
      role.reasons.length = 0;
    }
    expect(resolveRoles(input)).toEqual(uncached(input));
  });
});
