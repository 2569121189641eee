import { type AppFilter, parseAppFilter } from "./app-filter.js";
import { type AwsPartition, parseProviderArn, parseRoleArn, parseRolePair, providerArnFor } from "./arn.js";
import { type CompiledGroupFilter, compileGroupFilter, type GroupFilterMatch } from "./group-filter.js";
import { type CompiledRoleValuePattern, compileRoleValuePattern } from "./role-value-pattern.js";
import type { AssignedRole, AwsSignOnSettings, ResolvedRole } from "./types.js";

/** The SAML provider name for an account: per-account table, then default name, then the IdP ARN's name. */
export function samlProviderNameFor(settings: AwsSignOnSettings, accountId: string): string | undefined {
  const perAccount = settings.samlProviderNames?.[accountId];
  if (perAccount) return perAccount;
  if (settings.defaultSamlProviderName) return settings.defaultSamlProviderName;
  if (settings.identityProviderArn) {
    const parsed = parseProviderArn(settings.identityProviderArn, settings.partition);
    if (parsed.ok) return parsed.value.providerName;
  }
  return undefined;
}

export type RoleFields = Omit<ResolvedRole, "reasons">;

/** What one assigned role resolves to under one app's settings. */
export type AssignedOutcome = { role: RoleFields } | { reason: string };

/** What one group name yields through group mapping (App Filter aside: that depends on the group's source). */
export type MappedOutcome =
  | { kind: "unmatched" }
  | { kind: "invalid"; rendered: string | null; reason: string }
  | { kind: "role"; role: RoleFields; captures: GroupFilterMatch["captures"] };

function resolveAssigned(assigned: AssignedRole, settings: AwsSignOnSettings): AssignedOutcome {
  const { partition } = settings;
  const role = parseRoleArn(assigned.roleArn, partition);
  if (!role.ok) return { reason: `role ARN: ${role.reason}` };
  const providerName = assigned.providerArn ? undefined : samlProviderNameFor(settings, role.value.accountId);
  const providerArn =
    assigned.providerArn ?? (providerName && providerArnFor(partition, role.value.accountId, providerName));
  if (!providerArn) return { reason: `no SAML provider configured for account ${role.value.accountId}` };
  const pair = parseRolePair(`${providerArn},${assigned.roleArn}`, partition);
  if (!pair.ok) return { reason: pair.reason };
  return {
    role: { roleArn: assigned.roleArn, providerArn, accountId: role.value.accountId, roleName: role.value.roleName },
  };
}

function mapName(
  name: string,
  settings: AwsSignOnSettings,
  filter: CompiledGroupFilter,
  pattern: CompiledRoleValuePattern,
): MappedOutcome {
  const { partition } = settings;
  const match = filter.match(name);
  if (!match) return { kind: "unmatched" };
  const accountId = match.captures.accountid;
  const values: Record<string, string | undefined> = { ...match.captures, partition };
  if (pattern.placeholders.includes("provider"))
    values.provider = accountId === undefined ? undefined : samlProviderNameFor(settings, accountId);
  const rendered = pattern.render(values);
  if ("missing" in rendered) {
    const reason =
      rendered.missing === "provider"
        ? `no SAML provider name configured for account ${accountId ?? "(none captured)"}`
        : `the Group Filter captured no value for \${${rendered.missing}}`;
    return { kind: "invalid", rendered: null, reason };
  }
  const pair = parseRolePair(rendered.value, partition);
  if (!pair.ok) return { kind: "invalid", rendered: rendered.value, reason: pair.reason };
  const { role, provider } = pair.value;
  const alias = match.captures.alias;
  return {
    kind: "role",
    role: {
      roleArn: role.arn,
      providerArn: provider.arn,
      accountId: role.accountId,
      roleName: role.roleName,
      ...(alias === undefined ? {} : { alias }),
    },
    captures: match.captures,
  };
}

// Outcomes are pure functions of the settings and one role or one group name; a cache per settings object
// turns every repeat (the same role group for thousands of people) into a map lookup. Bounded so a long-lived
// settings object fed with ever new names cannot grow without limit (20,000 holds the issue-9 estate's 12,500
// group names and 10,000 roles; a server with dozens of apps keeps dozens of these).
const OUTCOME_CACHE_LIMIT = 20_000;

/**
 * One app's sign-on settings, compiled once: App Filter, Group Filter and Role Value Pattern, and what each
 * assigned role and each group name resolves to. Outcomes are frozen: callers copy before changing them.
 */
export class CompiledSettings {
  private mapping: { appFilter: AppFilter; filter: CompiledGroupFilter; pattern: CompiledRoleValuePattern } | null =
    null;
  private readonly assigned = new Map<string, Map<string, AssignedOutcome>>();
  private readonly mapped = new Map<string, MappedOutcome>();
  private readonly values: readonly unknown[];

  constructor(readonly settings: AwsSignOnSettings) {
    this.values = valuesOf(settings);
  }

  /** Whether this compilation still describes `settings` (same values as when compiled). */
  matches(settings: AwsSignOnSettings): boolean {
    const now = valuesOf(settings);
    return now.every((v, i) => v === this.values[i]);
  }

  get partition(): AwsPartition {
    return this.settings.partition;
  }

  /** @throws AppFilterError, GroupFilterSyntaxError, GroupFilterMissingCaptureError on invalid mapping settings. */
  groupMapping() {
    this.mapping ??= {
      appFilter: parseAppFilter(this.settings.appFilter),
      filter: compileGroupFilter(this.settings.groupFilter),
      pattern: compileRoleValuePattern(this.settings.roleValuePattern),
    };
    return this.mapping;
  }

  resolveAssigned(assigned: AssignedRole): AssignedOutcome {
    const providerKey = assigned.providerArn ?? "";
    let byProvider = this.assigned.get(assigned.roleArn);
    const cached = byProvider?.get(providerKey);
    if (cached) return cached;
    const outcome = deepFreeze(resolveAssigned(assigned, this.settings));
    if (!byProvider) {
      if (this.assigned.size >= OUTCOME_CACHE_LIMIT) this.assigned.clear();
      byProvider = new Map();
      this.assigned.set(assigned.roleArn, byProvider);
    }
    byProvider.set(providerKey, outcome);
    return outcome;
  }

  mapGroupName(name: string): MappedOutcome {
    const cached = this.mapped.get(name);
    if (cached) return cached;
    const { filter, pattern } = this.groupMapping();
    const outcome = deepFreeze(mapName(name, this.settings, filter, pattern));
    if (this.mapped.size >= OUTCOME_CACHE_LIMIT) this.mapped.clear();
    this.mapped.set(name, outcome);
    return outcome;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// Every value the cached outcomes depend on. The per-account table is serialized once per table object (it
// can hold a thousand accounts); the scalars are read on every call, so settings changed in place recompile.
const tableText = new WeakMap<object, string>();
function valuesOf(s: AwsSignOnSettings): readonly unknown[] {
  let table = "";
  if (s.samlProviderNames) {
    const known = tableText.get(s.samlProviderNames);
    table = known ?? JSON.stringify(Object.entries(s.samlProviderNames));
    if (known === undefined) tableText.set(s.samlProviderNames, table);
  }
  return [
    s.partition,
    s.identityProviderArn ?? null,
    s.defaultSamlProviderName ?? null,
    s.appFilter,
    s.groupFilter,
    s.roleValuePattern,
    table,
  ];
}
const fingerprintOf = (s: AwsSignOnSettings): string => JSON.stringify(valuesOf(s));

let compiledByObject = new WeakMap<AwsSignOnSettings, CompiledSettings>();
const compiledByValue = new Map<string, CompiledSettings>();
const BY_VALUE_LIMIT = 32;

/**
 * The compilation of `settings`, cached by their values: the same object asks a map (and re-checks the
 * values it depends on), an equal copy (a re-read app) finds the compilation made for the original.
 */
export function compiledSettings(settings: AwsSignOnSettings): CompiledSettings {
  const known = compiledByObject.get(settings);
  if (known?.matches(settings)) return known;
  const key = fingerprintOf(settings);
  let compiled = compiledByValue.get(key);
  if (!compiled) {
    compiled = new CompiledSettings(settings);
    if (compiledByValue.size >= BY_VALUE_LIMIT) compiledByValue.clear();
    compiledByValue.set(key, compiled);
  }
  compiledByObject.set(settings, compiled);
  return compiled;
}

/** Forgets every compilation (tests, and benchmarks that measure a cold start). */
export function clearCompiledSettings(): void {
  compiledByObject = new WeakMap();
  compiledByValue.clear();
}
