import { appFilterAllows } from "./app-filter.js";
import { type CompiledSettings, compiledSettings, type RoleFields } from "./compiled-settings.js";
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

export { samlProviderNameFor } from "./compiled-settings.js";

function compareGroups(a: GroupRef, b: GroupRef): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

class RoleCollector {
  /** roleArn -> providerArn -> role: nested maps, so no key string is built per pair. */
  private readonly byPair = new Map<string, Map<string, ResolvedRole>>();

  add(role: RoleFields, reason: RoleReason): void {
    let byProvider = this.byPair.get(role.roleArn);
    const existing = byProvider?.get(role.providerArn);
    if (existing) {
      existing.reasons.push(reason);
      if (existing.alias === undefined && role.alias !== undefined) existing.alias = role.alias;
      return;
    }
    if (!byProvider) {
      byProvider = new Map();
      this.byPair.set(role.roleArn, byProvider);
    }
    // Built field by field: `role` is a frozen cached outcome, and spreading a frozen object is V8's slow path.
    const { roleArn, providerArn, accountId, roleName, alias } = role;
    byProvider.set(
      providerArn,
      alias === undefined
        ? { roleArn, providerArn, accountId, roleName, reasons: [reason] }
        : { roleArn, providerArn, accountId, roleName, alias, reasons: [reason] },
    );
  }

  sorted(): ResolvedRole[] {
    const out: ResolvedRole[] = [];
    for (const byProvider of this.byPair.values()) for (const role of byProvider.values()) out.push(role);
    return out.sort((a, b) =>
      a.roleArn !== b.roleArn ? (a.roleArn < b.roleArn ? -1 : 1) : a.providerArn < b.providerArn ? -1 : 1,
    );
  }
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
  const compiled = compiledSettings(settings);
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

  // No closures here: this runs once per person and sign-in, and every function made per call costs.
  for (const assigned of input.userRoles)
    addAssigned(compiled, collector, result, assigned, { kind: "user-assignment" });

  const winner = rule === "groups-priority" ? highestPriority(groupAssignments) : undefined;
  for (const ga of groupAssignments) {
    const { group, priority } = ga;
    if (rule === "own") result.ignoredGroupAssignments.push(...ignoredRoles(ga, "join_all_roles_off", winner));
    else if (winner && winner !== ga)
      result.ignoredGroupAssignments.push(...ignoredRoles(ga, "lower_priority", winner));
    else if (rule !== "none") {
      for (const assigned of ga.roles) {
        const origin: RoleReason = {
          kind: "group-assignment",
          groupId: group.id,
          groupName: group.name,
          rule,
          priority,
        };
        addAssigned(compiled, collector, result, assigned, origin);
      }
    }
  }

  if (settings.useGroupMapping) mapGroups(groups, compiled, collector, result);

  result.roles = collector.sorted();
  return result;
}

function addAssigned(
  compiled: CompiledSettings,
  collector: RoleCollector,
  result: ResolveRolesResult,
  assigned: AssignedRole,
  origin: RoleReason,
): void {
  const resolved = compiled.resolveAssigned(assigned);
  if ("role" in resolved) collector.add(resolved.role, origin);
  else result.invalidAssignments.push({ origin, ...assigned, reason: resolved.reason });
}

function ignoredRoles(
  ga: GroupAssignmentOfUser,
  reason: IgnoredGroupAssignment["reason"],
  winner: GroupAssignmentOfUser | undefined,
): IgnoredGroupAssignment[] {
  const { group, priority } = ga;
  return ga.roles.map((r) => ({
    groupId: group.id,
    groupName: group.name,
    roleArn: r.roleArn,
    priority,
    reason,
    ...(reason === "lower_priority" && winner
      ? { winner: { groupId: winner.group.id, groupName: winner.group.name, priority: winner.priority } }
      : {}),
  }));
}

interface GroupAssignmentOfUser {
  group: GroupRef;
  roles: readonly AssignedRole[];
  priority: number | null;
}

/** The group assignments that reach the user, in group order (only groups the user belongs to count). */
function groupAssignmentsOf(groups: readonly GroupRef[], groupRoles: readonly GroupAssignedRoles[]) {
  const byGroup = new Map<string, GroupAssignedRoles[]>();
  for (const entry of groupRoles) {
    const list = byGroup.get(entry.groupId);
    if (list) list.push(entry);
    else byGroup.set(entry.groupId, [entry]);
  }
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
  compiled: CompiledSettings,
  collector: RoleCollector,
  result: ResolveRolesResult,
): void {
  const { appFilter } = compiled.groupMapping();
  for (const group of groups) {
    const { id: groupId, name: groupName, source } = group;
    if (!appFilterAllows(appFilter, source)) {
      result.rejectedByAppFilter.push({ groupId, groupName, source });
      continue;
    }
    const outcome = compiled.mapGroupName(groupName);
    if (outcome.kind === "unmatched") result.unmatchedByGroupFilter.push({ groupId, groupName, source });
    else if (outcome.kind === "invalid")
      result.invalidRenders.push({ groupId, groupName, source, rendered: outcome.rendered, reason: outcome.reason });
    else collector.add(outcome.role, { kind: "group-mapping", groupId, groupName, source, captures: outcome.captures });
  }
}
