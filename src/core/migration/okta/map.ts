/** Okta's shapes -> rolebridge's: people, groups, memberships, the legacy-mode app and its assignments. */

import type { NewGroup, NewUser } from "../../../store/contract.js";
import type { AppAssignment } from "../../apps/model.js";
import type { UserStatus } from "../../directory/model.js";
import type { FieldError } from "../../errors.js";
import { newId } from "../../ids.js";
import { type AwsPartition, parseProviderArn, parseRoleArn } from "../../rolemap/arn.js";
import type { AssignedRole } from "../../rolemap/types.js";
import { sortStrings } from "../model.js";
import { EXPORT_FILES, type OktaExport } from "./files.js";

/** Okta's user statuses: anyone who may sign in today is ACTIVE here. */
const STATUS: Record<string, UserStatus> = {
  ACTIVE: "ACTIVE",
  RECOVERY: "ACTIVE",
  PASSWORD_EXPIRED: "ACTIVE",
  LOCKED_OUT: "ACTIVE",
  STAGED: "STAGED",
  PROVISIONED: "STAGED",
  SUSPENDED: "SUSPENDED",
  DEPROVISIONED: "DEPROVISIONED",
};

export function partitionOf(awsEnvironmentType: string | undefined): AwsPartition {
  const t = (awsEnvironmentType ?? "aws.amazon").toLowerCase();
  if (t.includes("gov")) return "aws-us-gov";
  if (t.includes("cn") || t.includes("china")) return "aws-cn";
  return "aws";
}

/**
 * A `samlRoles` value as seen in the wild: a role name (one connected account), a role ARN, or Okta's
 * "available roles" pair `role-arn,saml-provider-arn` (either order).
 */
export function roleOfValue(
  value: string,
  ctx: { partition: AwsPartition; defaultAccount: string | null },
): { role: AssignedRole } | { error: string } {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length === 2) {
    const roleText = parts.find((p) => p.includes(":role/"));
    const providerText = parts.find((p) => p.includes(":saml-provider/"));
    if (!roleText || !providerText) return { error: "a pair must be a role ARN and a SAML provider ARN" };
    const role = parseRoleArn(roleText, ctx.partition);
    const provider = parseProviderArn(providerText, ctx.partition);
    if (!role.ok) return { error: role.reason };
    if (!provider.ok) return { error: provider.reason };
    return { role: { roleArn: role.value.arn, providerArn: provider.value.arn } };
  }
  if (value.startsWith("arn:")) {
    const role = parseRoleArn(value, ctx.partition);
    return role.ok ? { role: { roleArn: role.value.arn } } : { error: role.reason };
  }
  if (!ctx.defaultAccount)
    return { error: "a bare role name needs the app's Identity Provider ARN to name its account" };
  const role = parseRoleArn(`arn:${ctx.partition}:iam::${ctx.defaultAccount}:role/${value}`, ctx.partition);
  return role.ok ? { role: { roleArn: role.value.arn } } : { error: role.reason };
}

export interface MappedEstate {
  partition: AwsPartition;
  settings: Record<string, unknown>;
  /** Okta user id -> the rolebridge user (new, or an existing one with the same login). */
  users: Map<string, NewUser & { existing: boolean }>;
  groups: Map<string, NewGroup & { existing: boolean }>;
  memberships: Array<{ groupId: string; userId: string }>;
  /** With a placeholder app id; the real one is known when the app is written. */
  assignments: AppAssignment[];
  /** Okta user id -> the roles Okta resolved for that app user (what the check compares). */
  expected: Map<string, string[]>;
  accounts: string[];
  errors: FieldError[];
}

export const PENDING_APP = "pending:app";

export function mapExport(
  x: OktaExport,
  opts: { appGroupSource: string; at: string; existingUsers: Map<string, string>; existingGroups: Map<string, string> },
): MappedEstate {
  const s = x.app.settings.app;
  const partition = partitionOf(s.awsEnvironmentType);
  const provider = s.identityProviderArn ? parseProviderArn(s.identityProviderArn, partition) : null;
  const errors: FieldError[] = [];
  if (provider && !provider.ok)
    errors.push({ path: `${EXPORT_FILES.app}/settings/app/identityProviderArn`, message: provider.reason });
  const ctx = { partition, defaultAccount: provider?.ok ? provider.value.accountId : null };
  const rolesOf = (p: { samlRoles?: string[] | null; role?: string | null } | undefined, path: string) => {
    const values = [...(p?.samlRoles ?? []), ...(p?.role ? [p.role] : [])];
    const out = new Map<string, AssignedRole>();
    values.forEach((v, i) => {
      const r = roleOfValue(v, ctx);
      if ("error" in r) errors.push({ path: `${path}/${i}`, message: `${JSON.stringify(v)}: ${r.error}` });
      else out.set(r.role.roleArn, r.role);
    });
    return [...out.values()].sort((a, b) => (a.roleArn < b.roleArn ? -1 : 1));
  };

  const users = new Map<string, NewUser & { existing: boolean }>();
  for (const u of x.users) {
    const existingId = opts.existingUsers.get(u.profile.login.toLowerCase());
    users.set(u.id, {
      id: existingId ?? newId("usr"),
      existing: existingId !== undefined,
      profile: {
        login: u.profile.login,
        email: u.profile.email,
        firstName: u.profile.firstName ?? null,
        lastName: u.profile.lastName ?? null,
        displayName: null,
      },
      status: STATUS[u.status] ?? "STAGED",
      passwordHash: null,
      at: opts.at,
    });
  }
  const groups = new Map<string, NewGroup & { existing: boolean }>();
  for (const g of x.groups) {
    const source = g.type === "APP_GROUP" ? opts.appGroupSource : "local";
    const existingId = opts.existingGroups.get(`${source}\u0000${g.profile.name.toLowerCase()}`);
    groups.set(g.id, {
      id: existingId ?? newId("grp"),
      existing: existingId !== undefined,
      name: g.profile.name,
      description: g.profile.description ?? null,
      source,
      externalId: null,
      at: opts.at,
    });
  }

  const memberships: MappedEstate["memberships"] = [];
  for (const [groupId, members] of Object.entries(x.members)) {
    const group = groups.get(groupId);
    if (!group) continue;
    for (const m of members) {
      const user = users.get(m);
      if (!user)
        errors.push({
          path: `${EXPORT_FILES.members}/${groupId}.json`,
          message: `member ${m} is not in ${EXPORT_FILES.users}`,
        });
      else memberships.push({ groupId: group.id, userId: user.id });
    }
  }

  const assignments: AppAssignment[] = [];
  const expected = new Map<string, string[]>();
  const accounts = new Set<string>(ctx.defaultAccount ? [ctx.defaultAccount] : []);
  const assignment = (
    principalType: "user" | "group",
    principalId: string,
    roles: AssignedRole[],
    priority: number | null,
  ) => {
    for (const r of roles) accounts.add(r.roleArn.split(":")[4]!);
    assignments.push({
      appId: PENDING_APP,
      principalType,
      principalId,
      profile: { samlRoles: roles },
      priority,
      created: opts.at,
      lastUpdated: opts.at,
    });
  };
  for (const [i, au] of x.appUsers.entries()) {
    const user = users.get(au.id);
    if (!user) {
      errors.push({
        path: `${EXPORT_FILES.appUsers}/${i}/id`,
        message: `user ${au.id} is not in ${EXPORT_FILES.users}`,
      });
      continue;
    }
    const roles = rolesOf(au.profile, `${EXPORT_FILES.appUsers}/${i}/profile/samlRoles`);
    expected.set(au.id, sortStrings(roles.map((r) => r.roleArn)));
    if (au.scope === "USER") assignment("user", user.id, roles, null);
  }
  // Okta's priorities may have gaps; rolebridge keeps them dense in the same order.
  const ordered = [...x.appGroups].sort(
    (a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER),
  );
  for (const [rank, ag] of ordered.entries()) {
    const i = x.appGroups.indexOf(ag);
    const group = groups.get(ag.id);
    if (!group) {
      errors.push({
        path: `${EXPORT_FILES.appGroups}/${i}/id`,
        message: `group ${ag.id} is not in ${EXPORT_FILES.groups}`,
      });
      continue;
    }
    assignment("group", group.id, rolesOf(ag.profile, `${EXPORT_FILES.appGroups}/${i}/profile/samlRoles`), rank);
  }

  const settings: Record<string, unknown> = {
    partition,
    sessionDuration: s.sessionDuration ?? 3600,
    joinAllRoles: s.joinAllRoles ?? false,
    ...(s.identityProviderArn && provider?.ok ? { identityProviderArn: s.identityProviderArn } : {}),
    api: { enabled: true, connectedAccountIds: sortStrings(accounts) },
  };
  return {
    partition,
    settings,
    users,
    groups,
    memberships,
    assignments,
    expected,
    accounts: sortStrings(accounts),
    errors,
  };
}
