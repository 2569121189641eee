/**
 * The migration toolkit's documents: the inventory of a legacy API-mode estate, and what is read from AWS
 * per account. Both are versioned and deterministic (sorted, no clock readings), so two runs over the same
 * state print byte-identical JSON and a diff of two files shows what changed.
 */
import type { App, AppAssignment } from "../apps/model.js";
import type { UserStatus } from "../directory/model.js";

export const INVENTORY_FORMAT = "rolebridge.migration.inventory";
export const INVENTORY_VERSION = 1;

export interface InventoryRole {
  arn: string;
  name: string;
  path: string;
}

/** What the app's keys read from one account now: live roles, SAML providers and who each role trusts. */
export interface AwsAccountState {
  /** `offline`: not asked (--offline); `unreachable`: AssumeRole or the reads failed. */
  status: "ok" | "unreachable" | "offline";
  error: string | null;
  /** Roles AWS lists now (null unless status is ok). */
  roles: InventoryRole[] | null;
  /** The account's SAML providers; null when the keys may not list them (the error says why). */
  providers: Array<{ arn: string; name: string }> | null;
  providersError: string | null;
  /** Per role: the SAML provider ARNs its trust policy lets assume it with AssumeRoleWithSAML. */
  trusts: Array<{ roleArn: string; providerArns: string[] }>;
}

export interface InventoryAccount {
  accountId: string;
  alias: string | null;
  /** The role list from the last "Refresh Application Data". */
  roleList: {
    status: "ok" | "error" | "none";
    error: string | null;
    refreshedAt: string | null;
    roles: InventoryRole[];
  };
  aws: AwsAccountState;
}

export interface InventoryGroup {
  id: string;
  name: string;
  source: string;
}

export interface InventoryPerson {
  id: string;
  login: string;
  email: string;
  status: UserStatus;
  /** Every group the person belongs to (not only assigned ones: the target's Group Filter sees them all). */
  groupIds: string[];
  /** Assigned to the legacy app directly. */
  direct: boolean;
  /** Assigned groups through which the legacy app reaches the person. */
  viaGroups: string[];
}

export interface Inventory {
  format: typeof INVENTORY_FORMAT;
  version: typeof INVENTORY_VERSION;
  source: { kind: "rolebridge-app" | "okta-export"; description: string };
  /** The legacy app as stored (settings hold no secret: the IAM secret is sealed elsewhere). */
  app: App;
  lastRefresh: { finishedAt: string | null; status: string } | null;
  accounts: InventoryAccount[];
  /** The legacy app's assignments as stored, people first, then groups, each by id. */
  assignments: AppAssignment[];
  /** Members each assigned group reaches (user ids, sorted). */
  groupMembers: Record<string, string[]>;
  groups: InventoryGroup[];
  people: InventoryPerson[];
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const sortStrings = (xs: Iterable<string>): string[] => [...xs].sort(byString);
export const compareBy =
  <T>(key: (t: T) => string) =>
  (a: T, b: T) =>
    byString(key(a), key(b));

/** The account id of a role ARN (`arn:aws:iam::<account>:role/...`). */
export const accountOfArn = (arn: string): string => arn.split(":")[4] ?? "";
