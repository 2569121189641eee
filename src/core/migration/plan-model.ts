/** The plan document: what apply would write, and every finding, before anything is written. */

export const PLAN_FORMAT = "rolebridge.migration.plan";
export const PLAN_VERSION = 1;

export interface PlanOptions {
  /** The target app's slug (a new app, as the guide advises). */
  to: string;
  /** Group name template; placeholders {alias}, {role}, {account}. */
  template: string;
  /** Directory source the role groups are created in; the target's App Filter trusts exactly it. */
  source: string;
  /** A Group Filter of your own instead of the one generated from the template. */
  groupFilter?: string | undefined;
  /** `rules`: a legacy group assignment becomes a membership rule; `static`: copies of today's members. */
  mode: "rules" | "static";
  /** One SAML provider name for the target in every account; default: keep each account's legacy name. */
  providerName?: string | undefined;
}

export type FindingKind =
  | "name-collision"
  | "name-in-other-source"
  | "uncapturable-role"
  | "name-too-long"
  | "role-missing-in-aws"
  | "response-too-large"
  | "account-unreachable"
  | "provider-not-reproducible"
  | "static-copy"
  | "existing-group-matches-filter"
  | "target-exists"
  | "target-settings-invalid";

export interface Finding {
  kind: FindingKind;
  /** `blocking` findings stop apply; warnings are the admin's to accept. */
  severity: "blocking" | "warning";
  message: string;
  /** What the finding is about: a group name, role ARN, account id, person login... */
  subject: string;
}

export interface PlannedRoleGroup {
  name: string;
  source: string;
  accountId: string;
  alias: string | null;
  roleArn: string;
  /** Set when the group already exists because this migration created it (a resumed or repeated plan). */
  existingId: string | null;
  /** People made members directly (their own roles, or static copies of group assignments). */
  members: string[];
  /** Groups whose members become members through a membership rule. */
  ruleFrom: string[];
}

export interface PlannedRule {
  fromGroupId: string;
  fromGroupName: string;
  toGroupName: string;
}

export interface AccountSamlChange {
  accountId: string;
  alias: string | null;
  providerName: string;
  providerArn: string;
  /** Whether the provider exists now: true/false when AWS was read, null when it could not be told. */
  providerExists: boolean | null;
  /** Roles the target maps in this account and whether their trust policy already names the provider. */
  roles: Array<{ roleArn: string; trusted: boolean | null }>;
}

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  from: { id: string; slug: string };
  options: PlanOptions & { groupFilter: string };
  roleGroups: PlannedRoleGroup[];
  rules: PlannedRule[];
  /** Legacy group assignments kept as static copies: their future joiners will not gain these roles. */
  staticGroups: Array<{ groupId: string; groupName: string; roleArns: string[] }>;
  /** legacy provider ARN -> the target's provider ARN for the same account (identity when names are kept). */
  providerMap: Record<string, string>;
  targetApp: { slug: string; label: string; settings: Record<string, unknown> };
  /** Role group names assigned to the target app. */
  targetAssignments: string[];
  aws: AccountSamlChange[];
  findings: Finding[];
  counts: {
    people: number;
    roleGroups: number;
    staticMemberships: number;
    rules: number;
    blocking: number;
    warnings: number;
  };
}
