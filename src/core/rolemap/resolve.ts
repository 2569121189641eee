import { appFilterAllows, parseAppFilter } from "./app-filter.js";
import { type AwsPartition, parseProviderArn, parseRoleArn, parseRolePair, providerArnFor } from "./arn.js";
import { compileGroupFilter } from "./group-filter.js";
import { compileRoleValuePattern } from "./role-value-pattern.js";
import type {
  AssignedRole,
  AssignmentRule,
  AwsSignOnSettings,
  GroupAssignedRoles,
  GroupRef,
  IgnoredGroupAssignment,
  ResolvedRole,
  ResolveRolesInput,
  ResolveRolesResult,
  RoleReason,
} from "./types.js";

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

function compareGroups(a: GroupRef, b: GroupRef): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

class RoleCollector {
  private readonly byPair = new Map<string, ResolvedRole>();

  add(role: Omit<ResolvedRole, "reasons">, reason: RoleReason): void {
    const key = `${role.roleArn}\n${role.providerArn}`;
    const existing = this.byPair.get(key);
    if (existing) {
      existing.reasons.push(reason);
      if (existing.alias === undefined && role.alias !== undefined) existing.alias = role.alias;
      return;
    }
    this.byPair.set(key, { ...role, reasons: [reason] });
  }

  sorted(): ResolvedRole[] {
    return [...this.byPair.values()].sort((a, b) =>
      a.roleArn !== b.roleArn ? (a.roleArn < b.roleArn ? -1 : 1) : a.providerArn < b.providerArn ? -1 : 1,
    );
  }
}

function resolveAssigned(
  assigned: AssignedRole,
  settings: AwsSignOnSettings,
  partition: AwsPartition,
): { role: Omit<ResolvedRole, "reasons"> } | { reason: string } {
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

/**
 * THE function that decides which AWS roles a user may assume through an AWS Account Federation
 * app. Sign-in, `explain`, lint and the migration's equivalence proof all call it.
 *
 * Semantics (Okta's app-user scopes, docs/aws-account-federation.md "Who gets which role"):
 * - A person with their own assignment (scope USER): their own roles; with Join all roles on, plus the roles
 *   of every group assignment of every group they belong to. Off, those group roles are reported in
 *   `ignoredGroupAssignments` (`join_all_roles_off`).
 * - A person assigned only through groups (scope GROUP): their groups' assigned roles whatever Join all roles
 *   says — the union in `combine` mode (the default), or only the roles of the highest-priority group
 *   assignment (lowest `priority`) in `priority` mode; the others are reported as `lower_priority`.
 * - Group mapping ON: additionally, every group whose source passes the App Filter and whose name
 *   matches the Group Filter (whole name) yields one pair rendered by the Role Value Pattern.
 *   The App Filter applies to group mapping only: group assignments name a group explicitly.
 *   An empty App Filter allows no source (fail closed).
 * - Output is deduplicated by (role ARN, provider ARN) and sorted, so it does not depend on the
 *   order in which the store returns groups; each pair lists every reason that produced it.
 *
 * @throws GroupFilterSyntaxError, GroupFilterMissingCaptureError, AppFilterError when group mapping
 *   is on and its settings are invalid (a misconfigured app, not a user problem).
 */
export function resolveRoles(input: ResolveRolesInput): ResolveRolesResult {
  const { settings } = input;
  const { partition } = settings;
  const collector = new RoleCollector();
  const groups = [...input.groups].sort(compareGroups);
  const groupAssignments = groupAssignmentsOf(groups, input.groupRoles ?? []);
  const rule = assignmentRuleFor(input, settings, groupAssignments.length > 0);
  const result: ResolveRolesResult = {
    roles: [],
    rejectedByAppFilter: [],
    unmatchedByGroupFilter: [],
    invalidRenders: [],
    invalidAssignments: [],
    assignmentRule: rule,
    ignoredGroupAssignments: [],
  };

  const addAssigned = (assigned: AssignedRole, origin: RoleReason) => {
    const resolved = resolveAssigned(assigned, settings, partition);
    if ("role" in resolved) collector.add(resolved.role, origin);
    else result.invalidAssignments.push({ origin, ...assigned, reason: resolved.reason });
  };

  for (const assigned of input.userRoles) addAssigned(assigned, { kind: "user-assignment" });

  const winner = rule === "groups-priority" ? highestPriority(groupAssignments) : undefined;
  for (const ga of groupAssignments) {
    const { group, priority } = ga;
    const ignored = (reason: IgnoredGroupAssignment["reason"]): IgnoredGroupAssignment[] =>
      ga.roles.map((r) => ({
        groupId: group.id,
        groupName: group.name,
        roleArn: r.roleArn,
        priority,
        reason,
        ...(reason === "lower_priority" && winner
          ? { winner: { groupId: winner.group.id, groupName: winner.group.name, priority: winner.priority } }
          : {}),
      }));
    if (rule === "own") result.ignoredGroupAssignments.push(...ignored("join_all_roles_off"));
    else if (winner && winner !== ga) result.ignoredGroupAssignments.push(...ignored("lower_priority"));
    else if (rule !== "none") {
      for (const assigned of ga.roles) {
        addAssigned(assigned, { kind: "group-assignment", groupId: group.id, groupName: group.name, rule, priority });
      }
    }
  }

  if (settings.useGroupMapping) mapGroups(groups, settings, collector, result);

  result.roles = collector.sorted();
  return result;
}

interface GroupAssignmentOfUser {
  group: GroupRef;
  roles: readonly AssignedRole[];
  priority: number | null;
}

/** The group assignments that reach the user, in group order (only groups the user belongs to count). */
function groupAssignmentsOf(groups: readonly GroupRef[], groupRoles: readonly GroupAssignedRoles[]) {
  const byGroup = new Map<string, GroupAssignedRoles[]>();
  for (const entry of groupRoles) byGroup.set(entry.groupId, [...(byGroup.get(entry.groupId) ?? []), entry]);
  const out: GroupAssignmentOfUser[] = [];
  for (const group of groups) {
    for (const entry of byGroup.get(group.id) ?? [])
      out.push({ group, roles: entry.roles, priority: entry.priority ?? null });
  }
  return out;
}

function assignmentRuleFor(input: ResolveRolesInput, settings: AwsSignOnSettings, viaGroups: boolean): AssignmentRule {
  const own = input.userAssigned ?? input.userRoles.length > 0;
  if (own) return settings.joinAllRoles ? "own+groups" : "own";
  if (!viaGroups) return "none";
  return settings.groupAssignmentMode === "priority" ? "groups-priority" : "groups-combine";
}

/** Lowest priority number wins (Okta: 0 is highest); an assignment without one ranks last, ties by group name. */
function highestPriority(assignments: readonly GroupAssignmentOfUser[]): GroupAssignmentOfUser | undefined {
  let best: GroupAssignmentOfUser | undefined;
  for (const a of assignments) {
    if (!best) best = a;
    else if (a.priority !== null && (best.priority === null || a.priority < best.priority)) best = a;
  }
  return best;
}

function mapGroups(
  groups: readonly GroupRef[],
  settings: AwsSignOnSettings,
  collector: RoleCollector,
  result: ResolveRolesResult,
): void {
  const { partition } = settings;
  const appFilter = parseAppFilter(settings.appFilter);
  const filter = compileGroupFilter(settings.groupFilter);
  const pattern = compileRoleValuePattern(settings.roleValuePattern);
  const usesProvider = pattern.placeholders.includes("provider");

  for (const group of groups) {
    const diagnostic = { groupId: group.id, groupName: group.name, source: group.source };
    if (!appFilterAllows(appFilter, group.source)) {
      result.rejectedByAppFilter.push(diagnostic);
      continue;
    }
    const match = filter.match(group.name);
    if (!match) {
      result.unmatchedByGroupFilter.push(diagnostic);
      continue;
    }
    const accountId = match.captures.accountid;
    const values: Record<string, string | undefined> = { ...match.captures, partition };
    if (usesProvider) values.provider = accountId === undefined ? undefined : samlProviderNameFor(settings, accountId);
    const rendered = pattern.render(values);
    if ("missing" in rendered) {
      const reason =
        rendered.missing === "provider"
          ? `no SAML provider name configured for account ${accountId ?? "(none captured)"}`
          : `the Group Filter captured no value for \${${rendered.missing}}`;
      result.invalidRenders.push({ ...diagnostic, rendered: null, reason });
      continue;
    }
    const pair = parseRolePair(rendered.value, partition);
    if (!pair.ok) {
      result.invalidRenders.push({ ...diagnostic, rendered: rendered.value, reason: pair.reason });
      continue;
    }
    const { role, provider } = pair.value;
    const alias = match.captures.alias;
    collector.add(
      {
        roleArn: role.arn,
        providerArn: provider.arn,
        accountId: role.accountId,
        roleName: role.roleName,
        ...(alias === undefined ? {} : { alias }),
      },
      { kind: "group-mapping", ...diagnostic, captures: match.captures },
    );
  }
}
