import { createHash } from "node:crypto";

/**
 * IAM Identity Center instances live inside the persisted sandbox state, so a SCIM write and the rest of the
 * sandbox commit together. SCIM resources are kept as the JSON AWS hands back (minus `meta` and `id`).
 */

export interface ScimToken {
  tokenId: string;
  /** SHA-256 of the bearer: AWS shows a token once and neither AWS nor the sandbox can show it again. */
  tokenHash: string;
  createdAt: string;
  expiresAt: string;
}

export interface ScimUser {
  id: string;
  created: string;
  lastModified: string;
  /** userName, name, emails, active, … exactly as stored; never id or meta. */
  attributes: Record<string, unknown>;
}

export interface ScimGroup {
  id: string;
  created: string;
  lastModified: string;
  displayName: string;
  externalId?: string | undefined;
  memberIds: string[];
}

export interface PermissionSet {
  name: string;
  arn: string;
  description?: string | undefined;
  /** ISO 8601 duration, as Identity Center stores it. */
  sessionDuration: string;
  createdAt: string;
}

export interface AccountAssignment {
  permissionSetArn: string;
  groupId: string;
  accountId: string;
}

export interface FaultSettings {
  /** Share of requests (0–1) answered 500 before anything is written. */
  status500Rate: number;
  /** Share of writes that are applied and then answered by closing the connection. */
  dropAfterWriteRate: number;
  /** Share of requests answered 429 regardless of the rate limit. */
  status429Rate: number;
}

/** One of AWS's throttles: a token bucket refilled at `ratePerSecond`, holding at most `burst`. */
export interface Throttle {
  ratePerSecond: number;
  burst: number;
}

/** AWS's throttles per Identity Store instance; null turns one off. */
export interface Throttles {
  /** GET requests. */
  read: Throttle | null;
  /** POST, PUT, PATCH, DELETE requests. */
  write: Throttle | null;
  /** Members added or removed by a group create or PATCH, one unit each. */
  membership: Throttle | null;
}

/** Directory quotas: creates beyond them are refused. */
export interface Quotas {
  users: number;
  groups: number;
}

/**
 * AWS's documented throttles (IAM Identity Center quotas page): 40 reads and 25 writes per second per Identity
 * Store instance. The membership-operation throttle is documented without a figure: 100 a second is the
 * sandbox's assumption, with a burst of 100 so AWS's largest membership request (100 members) can pass.
 */
export const DEFAULT_THROTTLES: Throttles = {
  read: { ratePerSecond: 40, burst: 40 },
  write: { ratePerSecond: 25, burst: 25 },
  membership: { ratePerSecond: 100, burst: 100 },
};

/** The newest figures on AWS's quotas page: 200,000 users and 100,000 groups per identity store. */
export const DEFAULT_QUOTAS: Quotas = { users: 200_000, groups: 100_000 };

export interface InstanceSettings {
  /** A cap on all SCIM requests together, on top of AWS's throttles (not an AWS figure); absent = none. */
  rateLimitPerSecond?: number | undefined;
  burst?: number | undefined;
  /** AWS's per-class throttles; absent (state saved before they existed) = the defaults. */
  throttles?: Throttles | undefined;
  quotas?: Quotas | undefined;
  faults: FaultSettings;
  /** The old behaviour: at most 50 results per list and no cursor paging. */
  legacyPaging: boolean;
  /** Seeds the fault RNG so injected faults repeat from run to run. */
  seed?: number | undefined;
}

export interface IdentityCenterInstance {
  tenantId: string;
  region: string;
  instanceArn: string;
  identityStoreId: string;
  createdAt: string;
  /** The IdP's SAML metadata for sign-in to the access portal; absent until configured. */
  samlMetadata?: string | undefined;
  tokens: ScimToken[];
  users: ScimUser[];
  groups: ScimGroup[];
  permissionSets: PermissionSet[];
  assignments: AccountAssignment[];
  settings: InstanceSettings;
}

export interface IdentityCenterState {
  instances: IdentityCenterInstance[];
}

export const MAX_SCIM_TOKENS = 2;
export const TOKEN_LIFETIME_MS = 365 * 86400_000;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export const defaultSettings = (): InstanceSettings => ({
  faults: { status500Rate: 0, dropAfterWriteRate: 0, status429Rate: 0 },
  legacyPaging: false,
  throttles: structuredClone(DEFAULT_THROTTLES),
  quotas: { ...DEFAULT_QUOTAS },
});

/** Sandboxes persisted before Identity Center existed have no such member; they start with no instances. */
export function identityCenterOf(state: { identityCenter?: IdentityCenterState | undefined }): IdentityCenterState {
  state.identityCenter ??= { instances: [] };
  return state.identityCenter;
}

export function findInstance(
  state: { identityCenter?: IdentityCenterState | undefined },
  tenantId: string,
): IdentityCenterInstance | undefined {
  return state.identityCenter?.instances.find((i) => i.tenantId === tenantId);
}
