import type { FieldError } from "../errors.js";
import { AWS_DEFAULT_BUDGETS, type BudgetLimits } from "./budgets.js";
import type { DesiredUser } from "./model.js";

/**
 * What a SCIM server allows, as data. The engine reads these fields instead of asking
 * "is this AWS?", so a new target is a new profile, not new branches.
 */
export interface TargetProfile {
  name: string;
  /** Largest `count` the server honours on a list. */
  maxPageSize: number;
  /**
   * `cursor`: RFC 9865 — `cursor` in (empty on the first page), `nextCursor` out (AWS). `startIndex`: RFC 7644
   * 1-based offsets. `advertised`: cursors when the server's ServiceProviderConfig advertises them, else startIndex.
   */
  paging: "cursor" | "startIndex" | "advertised";
  /**
   * The target's published limits per kind of request, the defaults of the per-app budgets; null when it
   * publishes none (one rate for every request, the app's `rateLimitPerSecond`).
   */
  budgets: BudgetLimits | null;
  /**
   * Older servers answer at most this many results and offer no next page (AWS used to stop
   * at 50). A page of exactly this size with no way on means the listing may be incomplete,
   * so anything not seen in it is looked up by filter before it is created.
   */
  legacyResultCap: number | null;
  /** Attributes a user must carry before a request is worth sending. */
  requiredUserFields: ReadonlyArray<keyof DesiredUser>;
  /** Whether the server keeps `active`; without it deactivation cannot be expressed. */
  supportsActive: boolean;
  /** How a changed user is written: PATCH of the changed attributes, or PUT of the whole user. */
  userUpdate: "patch" | "put";
  /** Informational: AWS has no PUT on groups. The engine never PUTs a group on any target (PATCH suffices). */
  groupPut: boolean;
  /** Members accepted in a group create; the rest follow as PATCH batches. */
  maxMembersInCreate: number;
  /** Membership changes (one operation per member) accepted in one PATCH. */
  maxMembershipOpsPerPatch: number;
  /** Informational: the operators the server understands. The engine only ever sends `eq` joined by `and`. */
  filterOperators: ReadonlyArray<"eq" | "and" | "or" | "ne" | "co" | "sw">;
  /** Some servers (and older AWS docs' clients) expect "Replace"; RFC 7644 and AWS use lower case. */
  patchOpCase: "lower" | "capitalized";
  /**
   * How current memberships are learnt.
   * - `group-resource`: GET of a group lists `members` (RFC 7644 servers).
   * - `known-or-probe`: the server never lists members (AWS). The caller's last-known
   *   memberships for a group are trusted when given (no requests); otherwise each desired
   *   pair is probed with `id eq "<group>" and members eq "<user>"`. Members added on the
   *   target by someone else cannot be discovered this way and are left alone.
   */
  membershipRead: "group-resource" | "known-or-probe";
  /**
   * The server answers 409 to a second user with the same userName or group with the same displayName.
   * Then a complete listing read just before is lookup enough: a create needs no lookup of its own, and
   * one that races another writer gets 409 and adopts. Without it every create looks up first.
   */
  conflictsOnDuplicateNames: boolean;
}

export const awsIdentityCenterProfile: TargetProfile = {
  name: "aws-identity-center",
  maxPageSize: 100,
  paging: "cursor",
  budgets: AWS_DEFAULT_BUDGETS,
  legacyResultCap: 50,
  requiredUserFields: ["userName", "displayName", "givenName", "familyName"],
  supportsActive: true,
  userUpdate: "patch",
  groupPut: false,
  maxMembersInCreate: 100,
  maxMembershipOpsPerPatch: 100,
  filterOperators: ["eq", "and"],
  patchOpCase: "lower",
  membershipRead: "known-or-probe",
  conflictsOnDuplicateNames: true,
};

export const genericScim2Profile: TargetProfile = {
  name: "generic-scim2",
  maxPageSize: 100,
  paging: "advertised",
  budgets: null,
  legacyResultCap: null,
  requiredUserFields: ["userName"],
  supportsActive: true,
  userUpdate: "patch",
  groupPut: true,
  // RFC 7644 sets no limit; batching still keeps requests to a size any server takes.
  maxMembersInCreate: 1000,
  maxMembershipOpsPerPatch: 100,
  filterOperators: ["eq", "and", "or", "ne", "co", "sw"],
  patchOpCase: "lower",
  membershipRead: "group-resource",
  // RFC 7644 asks for 409 on duplicates, but servers differ: look up before every create.
  conflictsOnDuplicateNames: false,
};

export const TARGET_PROFILES: Readonly<Record<string, TargetProfile>> = {
  [awsIdentityCenterProfile.name]: awsIdentityCenterProfile,
  [genericScim2Profile.name]: genericScim2Profile,
};

const FIELD_PATHS: Record<keyof DesiredUser, string> = {
  externalId: "/externalId",
  userName: "/userName",
  givenName: "/name/givenName",
  familyName: "/name/familyName",
  displayName: "/displayName",
  email: "/emails/0/value",
  active: "/active",
};

/**
 * Checks a user against what the target will refuse, so a person without a surname becomes one
 * error on that person instead of a 400 on every sync.
 */
export function validateUserForProfile(profile: TargetProfile, user: DesiredUser): FieldError[] {
  const errors: FieldError[] = [];
  if (!user.externalId) errors.push({ path: FIELD_PATHS.externalId, message: "is required" });
  for (const field of profile.requiredUserFields) {
    const value = user[field];
    if (typeof value === "string" && value.trim() === "") {
      errors.push({ path: FIELD_PATHS[field], message: `is required by ${profile.name}` });
    }
  }
  if (user.email && /\s/.test(user.email)) errors.push({ path: FIELD_PATHS.email, message: "contains whitespace" });
  return errors;
}

export function patchOp(profile: TargetProfile, op: "add" | "replace" | "remove"): string {
  return profile.patchOpCase === "lower" ? op : op.charAt(0).toUpperCase() + op.slice(1);
}
