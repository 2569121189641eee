/**
 * Storage for sign-in by programs (RFC 8628 device authorizations) and the end-user CLI sessions they
 * become. Codes and tokens arrive here already hashed; the store never sees a usable secret.
 */

export type DeviceAuthorizationStatus = "pending" | "approved" | "denied" | "consumed";

export interface DeviceAuthorization {
  id: string;
  clientId: string;
  scope: string;
  status: DeviceAuthorizationStatus;
  userId: string | null;
  intervalSeconds: number;
  lastPolledAt: string | null;
  created: string;
  expiresAt: string;
  decidedAt: string | null;
}

export interface NewDeviceAuthorization {
  id: string;
  deviceCodeHash: string;
  userCodeHash: string;
  clientId: string;
  scope: string;
  intervalSeconds: number;
  at: string;
  expiresAt: string;
}

export interface CliSession {
  id: string;
  userId: string;
  clientId: string;
  accessExpiresAt: string;
  /** The absolute end: refreshing never goes beyond it. */
  sessionExpiresAt: string;
  created: string;
  lastUsed: string | null;
  revokedAt: string | null;
}

export interface NewCliSession {
  id: string;
  userId: string;
  clientId: string;
  accessTokenHash: string;
  refreshTokenHash: string;
  accessExpiresAt: string;
  sessionExpiresAt: string;
  at: string;
}

export interface DeviceAuthorizationRepo {
  insert(d: NewDeviceAuthorization): Promise<DeviceAuthorization>;
  getByDeviceCodeHash(hash: string): Promise<DeviceAuthorization | null>;
  getByUserCodeHash(hash: string): Promise<DeviceAuthorization | null>;
  /** Records a poll; `intervalSeconds` is the (possibly slowed-down) interval from now on. */
  recordPoll(id: string, at: string, intervalSeconds: number): Promise<void>;
  /** Approves or denies a still-pending authorization; false when it was no longer pending. */
  decide(id: string, status: "approved" | "denied", userId: string, at: string): Promise<boolean>;
  /** Marks an approved authorization as exchanged for tokens, once: false when another poll got there first. */
  consume(id: string, at: string): Promise<boolean>;
  deleteExpired(before: string): Promise<number>;
}

export interface CliSessionRepo {
  insert(s: NewCliSession): Promise<CliSession>;
  get(id: string): Promise<CliSession | null>;
  findActiveByAccessHash(hash: string, now: string): Promise<CliSession | null>;
  findByRefreshHash(hash: string): Promise<CliSession | null>;
  /**
   * Swaps in new tokens when the presented refresh token is still the current one (one statement, so a
   * refresh token works once even under concurrent refreshes). False when it was not.
   */
  rotate(
    id: string,
    presentedRefreshHash: string,
    next: { accessTokenHash: string; refreshTokenHash: string; accessExpiresAt: string },
  ): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
  listForUser(userId: string): Promise<CliSession[]>;
  revoke(id: string, at: string): Promise<boolean>;
  revokeAllForUser(userId: string, at: string): Promise<number>;
}
