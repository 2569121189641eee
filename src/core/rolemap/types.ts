import type { AwsPartition } from "./arn.js";

/** A group the user belongs to, as the directory reports it. */
export interface GroupRef {
  id: string;
  name: string;
  /** `local` (or `okta`), `active_directory`, `ldap`, `csv:<name>`. */
  source: string;
}

/** A "SAML User Role" assigned on the app; the provider is derived from settings when omitted. */
export interface AssignedRole {
  roleArn: string;
  providerArn?: string;
}

/** Roles assigned on the app to a group the user belongs to. */
export interface GroupAssignedRoles {
  groupId: string;
  roles: readonly AssignedRole[];
  /** The group assignment's priority on the app (0 is highest, unique per app); decides in priority mode. */
  priority?: number | null;
}

/**
 * How a person assigned only through groups gets roles from several group assignments: `combine` (the union,
 * the default) or `priority` (only the highest-priority group assignment's roles, Okta's group priority).
 */
export type GroupAssignmentMode = "combine" | "priority";

/** The AWS Account Federation app's sign-on settings that decide entitlements. */
export interface AwsSignOnSettings {
  partition: AwsPartition;
  /** Okta's "Identity Provider ARN": its provider name is the fallback in every account. */
  identityProviderArn?: string | null;
  /** Beyond Okta: per-account SAML provider names (account id -> provider name). */
  samlProviderNames?: Readonly<Record<string, string>>;
  /** Provider name for accounts absent from `samlProviderNames`; wins over `identityProviderArn`'s name. */
  defaultSamlProviderName?: string | null;
  useGroupMapping: boolean;
  appFilter: string;
  groupFilter: string;
  roleValuePattern: string;
  /** Only for people with their own assignment: whether their groups' assigned roles are added to their own. */
  joinAllRoles: boolean;
  /** Only for people assigned through groups alone; absent means `combine`. */
  groupAssignmentMode?: GroupAssignmentMode;
}

export interface ResolveRolesInput {
  settings: AwsSignOnSettings;
  groups: readonly GroupRef[];
  /** Roles assigned to the user directly on the app ("SAML User Roles"). */
  userRoles: readonly AssignedRole[];
  /**
   * Whether the user has an assignment of their own on the app (Okta's app-user scope USER), even one with no
   * roles. Absent: inferred from `userRoles` being non-empty.
   */
  userAssigned?: boolean;
  /** Roles assigned on the app to the user's groups (only groups the user belongs to are used). */
  groupRoles?: readonly GroupAssignedRoles[];
}

export type RoleReason =
  | { kind: "user-assignment" }
  | {
      kind: "group-assignment";
      groupId: string;
      groupName: string;
      /** Which rule let the group's roles through (see `AssignmentRule`). */
      rule: Exclude<AssignmentRule, "own">;
      priority?: number | null;
    }
  | {
      kind: "group-mapping";
      groupId: string;
      groupName: string;
      source: string;
      captures: Readonly<Record<string, string>>;
    };

/**
 * The rule that decided the assigned roles: `own` (the person's own assignment, Join all roles off),
 * `own+groups` (own assignment, Join all roles on), `groups-combine` / `groups-priority` (assigned through groups
 * only), `none` (no assignment reaches the person; group mapping may still grant roles).
 */
export type AssignmentRule = "own" | "own+groups" | "groups-combine" | "groups-priority" | "none";

/** A group assignment whose roles the rule left out, and why. */
export interface IgnoredGroupAssignment {
  groupId: string;
  groupName: string;
  roleArn: string;
  priority?: number | null;
  reason: "join_all_roles_off" | "lower_priority";
  /** With `lower_priority`: the group assignment that won. */
  winner?: { groupId: string; groupName: string; priority: number | null };
}

export interface ResolvedRole {
  roleArn: string;
  providerArn: string;
  accountId: string;
  roleName: string;
  alias?: string;
  /** Every assignment or group that produced this pair, in resolution order. */
  reasons: RoleReason[];
}

export interface GroupDiagnostic {
  groupId: string;
  groupName: string;
  source: string;
}

export interface InvalidRender extends GroupDiagnostic {
  /** The rendered Role value, or null when a placeholder had no value. */
  rendered: string | null;
  reason: string;
}

export interface InvalidAssignment {
  origin: RoleReason;
  roleArn: string;
  providerArn?: string;
  reason: string;
}

export interface ResolveRolesResult {
  /** Deduplicated by (role ARN, provider ARN), sorted by role ARN then provider ARN. */
  roles: ResolvedRole[];
  /** Groups whose source the App Filter does not allow (only evaluated with group mapping on). */
  rejectedByAppFilter: GroupDiagnostic[];
  /** Groups allowed by the App Filter whose name the Group Filter does not match. */
  unmatchedByGroupFilter: GroupDiagnostic[];
  /** Groups that matched but rendered a Role value that is not a valid pair. */
  invalidRenders: InvalidRender[];
  /** Assigned roles (user or group) that are not valid in the app's partition or lack a provider. */
  invalidAssignments: InvalidAssignment[];
  /** Which assignment rule applied to this person. */
  assignmentRule: AssignmentRule;
  /** Roles assigned to the user's groups that the rule left out (Join all roles off, or lost on priority). */
  ignoredGroupAssignments: IgnoredGroupAssignment[];
}
