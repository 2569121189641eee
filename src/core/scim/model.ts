import type { Group, User } from "../directory/model.js";

/**
 * Desired state handed to the engine as plain data, so the outbox worker, "sync now" and the
 * scheduled reconcile can all drive it without the engine knowing about storage.
 * `externalId` is always our own id: it is what ties a remote object back to us.
 */
export interface DesiredUser {
  externalId: string;
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  /** Empty string when the person has no address: the emails attribute is then left out. */
  email: string;
  active: boolean;
}

export interface DesiredGroup {
  externalId: string;
  displayName: string;
  memberExternalIds: string[];
}

/** What the target holds, normalised from its SCIM resources. */
export interface RemoteUser extends Omit<DesiredUser, "externalId"> {
  id: string;
  externalId: string | null;
}

export interface RemoteGroup {
  id: string;
  externalId: string | null;
  displayName: string;
  /** Remote user ids; null when the target does not list members (AWS never does). */
  memberIds: string[] | null;
}

/** The attributes the engine owns on a user; anything else on the remote side is left alone. */
export const USER_ATTRIBUTES = [
  "userName",
  "displayName",
  "givenName",
  "familyName",
  "email",
  "active",
  "externalId",
] as const;
export type UserAttribute = (typeof USER_ATTRIBUTES)[number];

export const SCHEMA_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCHEMA_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SCHEMA_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCHEMA_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCHEMA_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";

/**
 * A directory user as the target should see it. Only ACTIVE people are active remotely:
 * suspended and deprovisioned ones are deactivated, never deleted (that is the admin's call).
 * Which users are in scope at all (assignment) is decided by the caller.
 */
export function desiredUserFromDirectory(user: User): DesiredUser {
  const givenName = user.profile.firstName?.trim() ?? "";
  const familyName = user.profile.lastName?.trim() ?? "";
  const displayName = user.profile.displayName?.trim() || `${givenName} ${familyName}`.trim();
  return {
    externalId: user.id,
    userName: user.profile.login,
    givenName,
    familyName,
    displayName,
    email: user.profile.email?.trim() ?? "",
    active: user.status === "ACTIVE",
  };
}

export function desiredGroupFromDirectory(group: Group, memberUserIds: Iterable<string>): DesiredGroup {
  return {
    externalId: group.id,
    displayName: group.name,
    memberExternalIds: [...new Set(memberUserIds)].sort(),
  };
}

type Json = Record<string, unknown>;

/** The full SCIM body of a user, for POST and PUT. Optional-but-empty values are left out, not sent as "". */
export function toScimUser(user: DesiredUser): Json {
  const name: Json = {};
  if (user.givenName) name.givenName = user.givenName;
  if (user.familyName) name.familyName = user.familyName;
  const body: Json = {
    schemas: [SCHEMA_USER],
    externalId: user.externalId,
    userName: user.userName,
    name,
    active: user.active,
  };
  if (user.displayName) body.displayName = user.displayName;
  // AWS takes one email and insists it is primary; a single primary work email suits RFC 7643 too.
  if (user.email) body.emails = [{ value: user.email, type: "work", primary: true }];
  return body;
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");

export function fromScimUser(resource: Json): RemoteUser {
  const name = (resource.name ?? {}) as Json;
  const emails = Array.isArray(resource.emails) ? (resource.emails as Json[]) : [];
  const email = emails.find((e) => e.primary === true) ?? emails[0];
  return {
    id: str(resource.id),
    externalId: typeof resource.externalId === "string" ? resource.externalId : null,
    userName: str(resource.userName),
    givenName: str(name.givenName),
    familyName: str(name.familyName),
    displayName: str(resource.displayName),
    email: str(email?.value),
    // RFC 7643: an absent `active` means the server does not model it; treat as active.
    active: resource.active !== false && resource.active !== "false",
  };
}

export function fromScimGroup(resource: Json, listsMembers: boolean): RemoteGroup {
  const members = Array.isArray(resource.members) ? (resource.members as Json[]) : [];
  return {
    id: str(resource.id),
    externalId: typeof resource.externalId === "string" ? resource.externalId : null,
    displayName: str(resource.displayName),
    memberIds: listsMembers ? members.map((m) => str(m.value)).filter(Boolean) : null,
  };
}

/** The owned attributes whose remote value differs from the desired one. userName compares exactly: a case change is a rename. */
export function diffUser(desired: DesiredUser, remote: RemoteUser): UserAttribute[] {
  return USER_ATTRIBUTES.filter((attribute) => desired[attribute] !== remote[attribute]);
}

export const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
