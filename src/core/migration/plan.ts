import { assignedRolesOf } from "../apps/assignment-profile.js";
import { signOnSettingsOf, validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import { GROUP_SOURCE } from "../directory/validate.js";
import { validationFailed } from "../errors.js";
import { providerArnFor } from "../rolemap/arn.js";
import { samlProviderNameFor } from "../rolemap/resolve.js";
import { groupFilterFor, parseNameTemplate, renderGroupName } from "./group-names.js";
import { type Grants, legacyGrants, rememberGrants } from "./legacy-grants.js";
import { accountOfArn, compareBy, type Inventory, type InventoryGroup, sortStrings } from "./model.js";
import { planFindings } from "./plan-findings.js";
import {
  type AccountSamlChange,
  type Finding,
  PLAN_FORMAT,
  PLAN_VERSION,
  type Plan,
  type PlannedRoleGroup,
  type PlannedRule,
  type PlanOptions,
} from "./plan-model.js";
import { EntitlementSnapshot } from "./snapshot.js";
import { targetSettings } from "./target-app.js";

/** What the directory holds besides the inventory: every group, and what this migration already created. */
export interface DirectoryState {
  groups: InventoryGroup[];
  /** Groups created by an earlier apply of this same migration: theirs, not collisions. */
  ownedGroupIds: ReadonlySet<string>;
  /** Whether an app with the target slug exists, and whether this migration created it. */
  target: "absent" | "owned" | "foreign";
}

function checkOptions(options: PlanOptions): void {
  const errors = [];
  if (!GROUP_SOURCE.test(options.source))
    errors.push({ path: "/source", message: `${JSON.stringify(options.source)} is not a group source` });
  if (options.providerName !== undefined && !/^[\w.-]{1,128}$/.test(options.providerName))
    errors.push({ path: "/providerName", message: "must be 1-128 of letters, digits, _ . -" });
  if (errors.length) throw validationFailed("the plan options are invalid", errors);
}

/**
 * Turns an inventory into role groups, memberships, rules and a target app such that every person keeps
 * exactly the (provider, role) pairs the legacy app grants, and lists every finding. Pure: it writes
 * nothing, and the same inputs give the same plan.
 */
export async function buildPlan(inventory: Inventory, dir: DirectoryState, options: PlanOptions): Promise<Plan> {
  checkOptions(options);
  const template = parseNameTemplate(options.template);
  const groupFilter = options.groupFilter ?? groupFilterFor(template);
  const legacy = validateAwsFederationSettings(inventory.app.settings);
  const legacySignOn = signOnSettingsOf(legacy);
  const grants = await legacyGrants(inventory, EntitlementSnapshot.fromInventory(inventory));

  // Every role assigned or granted gets a role group, so an empty group's rule still works for future joiners.
  const roleArns = new Set<string>();
  for (const a of inventory.assignments) for (const r of assignedRolesOf(a.profile)) roleArns.add(r.roleArn);
  for (const roles of grants.values()) for (const r of roles) roleArns.add(r.roleArn);
  const aliasOf = new Map(inventory.accounts.map((a) => [a.accountId, a.alias]));
  const existing = new Map(dir.groups.filter((g) => g.source === options.source).map((g) => [g.name.toLowerCase(), g]));
  const byRole = new Map<string, PlannedRoleGroup>();
  for (const roleArn of sortStrings(roleArns)) {
    const accountId = accountOfArn(roleArn);
    const alias = aliasOf.get(accountId) ?? null;
    const name = renderGroupName(template, { alias, roleArn, accountId });
    const found = existing.get(name.toLowerCase());
    const existingId = found && dir.ownedGroupIds.has(found.id) ? found.id : null;
    byRole.set(roleArn, {
      name,
      source: options.source,
      accountId,
      alias,
      roleArn,
      existingId,
      members: [],
      ruleFrom: [],
    });
  }

  const { rules, staticGroups, covered } = planRules(inventory, grants, byRole, options.mode);
  for (const [userId, roles] of grants) {
    for (const r of roles) {
      if (covered.get(userId)?.has(r.roleArn)) continue;
      byRole.get(r.roleArn)?.members.push(userId);
    }
  }
  const roleGroups = [...byRole.values()].sort(compareBy((g) => g.name));
  for (const g of roleGroups) g.members = sortStrings(new Set(g.members));

  const accountIds = sortStrings(new Set(roleGroups.map((g) => g.accountId)));
  const providerNames: Record<string, string> = {};
  const providerMap: Record<string, string> = {};
  for (const accountId of accountIds) {
    const legacyName = samlProviderNameFor(legacySignOn, accountId);
    const name = options.providerName ?? legacyName ?? "rolebridge";
    providerNames[accountId] = name;
    if (legacyName) {
      providerMap[providerArnFor(legacy.partition, accountId, legacyName)] = providerArnFor(
        legacy.partition,
        accountId,
        name,
      );
    }
  }
  const settings = targetSettings(legacy, { source: options.source, groupFilter, providerNames });
  const aws = samlChanges(inventory, roleGroups, providerNames, legacy.partition);

  const plan: Plan = {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    from: { id: inventory.app.id, slug: inventory.app.slug },
    options: { ...options, groupFilter },
    roleGroups,
    rules,
    staticGroups,
    providerMap,
    targetApp: { slug: options.to, label: `${inventory.app.label} (group mapping)`, settings },
    targetAssignments: roleGroups.map((g) => g.name),
    aws,
    findings: [],
    counts: { people: 0, roleGroups: 0, staticMemberships: 0, rules: 0, blocking: 0, warnings: 0 },
  };
  plan.findings = planFindings(inventory, dir, plan, grants);
  rememberGrants(plan, inventory, grants);
  plan.counts = countsOf(plan, inventory.people.length);
  return plan;
}

function countsOf(plan: Plan, people: number): Plan["counts"] {
  const blocking = plan.findings.filter((f: Finding) => f.severity === "blocking").length;
  return {
    people,
    roleGroups: plan.roleGroups.length,
    staticMemberships: plan.roleGroups.reduce((n, g) => n + g.members.length, 0),
    rules: plan.rules.length,
    blocking,
    warnings: plan.findings.length - blocking,
  };
}

/**
 * A group assignment G with role R becomes the rule "members of G are members of R's group" only when
 * every current member of G is granted R today. With Join all roles off a member with an assignment of
 * their own does not get G's roles, and in priority mode only the highest-priority group counts: a rule
 * would then grant more than today, so those roles are copied statically and listed.
 */
function planRules(
  inventory: Inventory,
  grants: Grants,
  byRole: Map<string, PlannedRoleGroup>,
  mode: PlanOptions["mode"],
) {
  const rules: PlannedRule[] = [];
  const staticGroups: Plan["staticGroups"] = [];
  /** userId -> the role ARNs a rule gives them. */
  const covered = new Map<string, Set<string>>();
  const groupName = new Map(inventory.groups.map((g) => [g.id, g.name]));
  for (const a of inventory.assignments) {
    if (a.principalType !== "group") continue;
    const members = inventory.groupMembers[a.principalId] ?? [];
    const fromGroupName = groupName.get(a.principalId) ?? a.principalId;
    const copied: string[] = [];
    for (const roleArn of sortStrings(new Set(assignedRolesOf(a.profile).map((r) => r.roleArn)))) {
      const target = byRole.get(roleArn);
      if (!target) continue;
      const everyone = members.every((m) => grants.get(m)?.some((r) => r.roleArn === roleArn));
      if (mode === "static" || !everyone) {
        copied.push(roleArn);
        continue;
      }
      rules.push({ fromGroupId: a.principalId, fromGroupName, toGroupName: target.name });
      target.ruleFrom.push(a.principalId);
      for (const m of members) {
        const roles = covered.get(m) ?? new Set<string>();
        covered.set(m, roles);
        roles.add(roleArn);
      }
    }
    if (copied.length) staticGroups.push({ groupId: a.principalId, groupName: fromGroupName, roleArns: copied });
  }
  rules.sort(compareBy((r) => `${r.toGroupName}\n${r.fromGroupId}`));
  staticGroups.sort(compareBy((g) => g.groupId));
  for (const g of byRole.values()) g.ruleFrom = sortStrings(g.ruleFrom);
  return { rules, staticGroups, covered };
}

function samlChanges(
  inventory: Inventory,
  roleGroups: PlannedRoleGroup[],
  providerNames: Record<string, string>,
  partition: ReturnType<typeof validateAwsFederationSettings>["partition"],
): AccountSamlChange[] {
  return Object.keys(providerNames)
    .sort()
    .map((accountId) => {
      const account = inventory.accounts.find((a) => a.accountId === accountId);
      const providerName = providerNames[accountId]!;
      const providerArn = providerArnFor(partition, accountId, providerName);
      const aws = account?.aws;
      const trusts = new Map((aws?.trusts ?? []).map((t) => [t.roleArn, t.providerArns]));
      const read = aws?.status === "ok";
      const trustedSomewhere = [...trusts.values()].some((p) => p.includes(providerArn));
      const providerExists = !read
        ? null
        : aws.providers
          ? aws.providers.some((p) => p.arn === providerArn)
          : trustedSomewhere || null;
      return {
        accountId,
        alias: account?.alias ?? null,
        providerName,
        providerArn,
        providerExists,
        roles: roleGroups
          .filter((g) => g.accountId === accountId)
          .map((g) => ({
            roleArn: g.roleArn,
            // null: not read, or the role is gone from AWS (nothing to trust then).
            trusted: read ? (trusts.get(g.roleArn)?.includes(providerArn) ?? null) : null,
          })),
      };
    });
}
