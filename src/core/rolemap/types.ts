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
}

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
  joinAllRoles: boolean;
}

export interface ResolveRolesInput {
  settings: AwsSignOnSettings;
  groups: readonly GroupRef[];
  /** Roles assigned to the user directly on the app ("SAML User Roles"). */
  userRoles: readonly AssignedRole[];
  /** Roles assigned on the app to the user's groups (only groups the user belongs to are used). */
  groupRoles?: readonly GroupAssignedRoles[];
}

export type RoleReason =
  | { kind: "user-assignment" }
  | { kind: "group-assignment"; groupId: string; groupName: string }
  | {
      kind: "group-mapping";
      groupId: string;
      groupName: string;
      source: string;
      captures: Readonly<Record<string, string>>;
    };

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
  /** Roles assigned to the user's groups that were not granted because Join all roles is off. */
  ignoredGroupAssignments: Array<{ groupId: string; groupName: string; roleArn: string }>;
}
