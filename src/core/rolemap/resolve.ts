import { appFilterAllows, parseAppFilter } from "./app-filter.js";
import { type AwsPartition, parseProviderArn, parseRoleArn, parseRolePair, providerArnFor } from "./arn.js";
import { compileGroupFilter } from "./group-filter.js";
import { compileRoleValuePattern } from "./role-value-pattern.js";
import type {
  AssignedRole,
  AwsSignOnSettings,
  GroupRef,
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
 * app. Sign-in, `explain` and the migration's equivalence proof all call it.
 *
 * Semantics (Okta's, see docs/reference okta-aws-app.md):
 * - Assigned roles. Join all roles OFF: only the roles assigned to the user directly; roles assigned
 *   to the user's groups are reported in `ignoredGroupAssignments`. ON: the union of the user's and
 *   all their groups' assigned roles.
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
  const result: ResolveRolesResult = {
    roles: [],
    rejectedByAppFilter: [],
    unmatchedByGroupFilter: [],
    invalidRenders: [],
    invalidAssignments: [],
    ignoredGroupAssignments: [],
  };
  const groups = [...input.groups].sort(compareGroups);

  const addAssigned = (assigned: AssignedRole, origin: RoleReason) => {
    const resolved = resolveAssigned(assigned, settings, partition);
    if ("role" in resolved) collector.add(resolved.role, origin);
    else result.invalidAssignments.push({ origin, ...assigned, reason: resolved.reason });
  };

  for (const assigned of input.userRoles) addAssigned(assigned, { kind: "user-assignment" });

  if (input.groupRoles && input.groupRoles.length > 0) {
    const rolesByGroup = new Map<string, AssignedRole[]>();
    for (const entry of input.groupRoles) {
      rolesByGroup.set(entry.groupId, [...(rolesByGroup.get(entry.groupId) ?? []), ...entry.roles]);
    }
    for (const group of groups) {
      for (const assigned of rolesByGroup.get(group.id) ?? []) {
        if (settings.joinAllRoles) {
          addAssigned(assigned, { kind: "group-assignment", groupId: group.id, groupName: group.name });
        } else {
          result.ignoredGroupAssignments.push({ groupId: group.id, groupName: group.name, roleArn: assigned.roleArn });
        }
      }
    }
  }

  if (settings.useGroupMapping) mapGroups(groups, settings, collector, result);

  result.roles = collector.sorted();
  return result;
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
