/** Directory entities as the core sees them: plain data, storage-agnostic. */

export const USER_STATUSES = ["STAGED", "ACTIVE", "SUSPENDED", "DEPROVISIONED"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface UserProfile {
  login: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
}

export interface User {
  id: string;
  profile: UserProfile;
  status: UserStatus;
  created: string;
  lastUpdated: string;
  statusChanged: string;
  passwordChanged: string | null;
  lastLogin: string | null;
  /** Optimistic concurrency: bumped on every change, checked via If-Match. */
  version: number;
}

/** What the store keeps about credentials; never leaves the core. */
export interface UserCredentials {
  userId: string;
  passwordHash: string | null;
  failedLogins: number;
  lockedUntil: string | null;
  totpSecretSealed: string | null;
}

/**
 * Where a group comes from. `local` groups are managed here; the others mirror an external
 * directory and are what the AWS app's App Filter allows or refuses.
 */
export type GroupSource = string;

export interface Group {
  id: string;
  name: string;
  description: string | null;
  source: GroupSource;
  externalId: string | null;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  version: number;
}

export interface Membership {
  groupId: string;
  userId: string;
  created: string;
}

export interface ApiToken {
  id: string;
  name: string;
  /** First characters of the token, shown in listings so an admin can tell tokens apart. */
  prefix: string;
  createdBy: string | null;
  created: string;
  lastUsed: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface Session {
  id: string;
  userId: string;
  kind: "admin" | "portal";
  csrfToken: string;
  created: string;
  expiresAt: string;
  lastSeen: string;
}

export interface LogEvent {
  id: string;
  published: string;
  actor: { type: "user" | "token" | "system" | "cli"; id: string | null; display: string };
  action: string;
  target: { type: string; id: string | null; display: string } | null;
  outcome: "SUCCESS" | "FAILURE";
  /** Before/after summary of what changed (never secrets). */
  summary: Record<string, unknown>;
  requestId: string | null;
}

/** "Members of `fromGroupId` are members of `toGroupId`", kept in step with every membership change of the first. */
export interface MembershipRule {
  id: string;
  fromGroupId: string;
  toGroupId: string;
  created: string;
  createdBy: string;
}
