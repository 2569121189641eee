/**
 * The one storage contract. SQLite (embedded default) and PostgreSQL (scale-out) both implement it,
 * and one shared test suite (test/store/contract.test.ts) runs against both.
 *
 * Reads and writes go through repositories; anything that changes more than one row runs inside
 * `transaction`, which hands the callback a transaction-bound set of the same repositories.
 */

import type {
  ApiToken,
  Group,
  LogEvent,
  Membership,
  Session,
  User,
  UserCredentials,
  UserProfile,
  UserStatus,
} from "../core/directory/model.js";
import type { ActivationTokenRepo } from "./contract-activation.js";
import type {
  AppRepo,
  AppSecretRepo,
  AssignmentRepo,
  RoleCatalogRepo,
  SigningKeyRepo,
  UpgradeNoticeRepo,
} from "./contract-apps.js";
import type { ScimBudgetRepo } from "./contract-budgets.js";
import type { CliSessionRepo, DeviceAuthorizationRepo } from "./contract-device.js";
import type { MigrationJournalRepo } from "./contract-migrations.js";
import type { FullSyncRepo, OutboxRepo, ProvisionedRepo } from "./contract-outbox.js";
import type { PolicyBackupRepo } from "./contract-policy.js";
import type { MembershipRuleRepo, RuleHeldMembershipRepo } from "./contract-rules.js";
import type { ServerInfoRepo } from "./contract-server.js";
import type { DirectorySourceRepo } from "./contract-sources.js";

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null when this page is the last. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  after?: string | undefined;
}

export interface UserFilter {
  login?: string | undefined;
  status?: UserStatus | undefined;
  /** Case-insensitive prefix over login, email, first, last and display name. */
  q?: string | undefined;
}

export interface GroupFilter {
  name?: string | undefined;
  source?: string | undefined;
  /** Case-insensitive prefix over the group name. */
  q?: string | undefined;
}

export interface LogFilter {
  action?: string | undefined;
  targetId?: string | undefined;
  since?: string | undefined;
}

export interface NewUser {
  id: string;
  profile: UserProfile;
  status: UserStatus;
  passwordHash: string | null;
  at: string;
}

export interface UserChange {
  profile?: UserProfile;
  status?: UserStatus;
  passwordHash?: string | null;
  at: string;
}

export interface NewGroup {
  id: string;
  name: string;
  description: string | null;
  source: string;
  externalId: string | null;
  at: string;
}

export interface GroupChange {
  name?: string;
  description?: string | null;
  externalId?: string | null;
  at: string;
}

export interface UserRepo {
  insert(user: NewUser): Promise<User>;
  /** Bulk insert for imports; the caller runs it inside a transaction. */
  insertMany(users: NewUser[]): Promise<void>;
  get(id: string): Promise<User | null>;
  getByLogin(login: string): Promise<User | null>;
  /** The user and their credentials from one row read (a password sign-in needs both). */
  getByLoginWithCredentials(login: string): Promise<{ user: User; credentials: UserCredentials } | null>;
  /** Map login key (lower-case) -> id for the given logins; used by imports to resolve references. */
  idsByLogin(logins: string[]): Promise<Map<string, string>>;
  list(filter: UserFilter, page: PageRequest): Promise<Page<User>>;
  count(): Promise<number>;
  /**
   * Applies the change when the stored version equals `expectedVersion` (or unconditionally when it
   * is undefined); returns the new row, or null when the version did not match.
   */
  update(id: string, change: UserChange, expectedVersion?: number): Promise<User | null>;
  delete(id: string): Promise<boolean>;
  credentials(id: string): Promise<UserCredentials | null>;
  /**
   * Counts one failed sign-in atomically; when the count reaches `maxAttempts` the account is locked
   * until `lockUntil`. Returns the new state.
   */
  recordLoginFailure(
    id: string,
    policy: { maxAttempts: number; lockUntil: string },
  ): Promise<{ failedLogins: number; lockedUntil: string | null }>;
  recordLoginSuccess(id: string, at: string): Promise<void>;
  /** Sealed TOTP secret (null to remove the factor). */
  setTotp(id: string, sealedSecret: string | null): Promise<boolean>;
  /**
   * Records a used TOTP time step only if it is later than the last one used, atomically: the same
   * code cannot be replayed, even by two concurrent sign-ins. Returns false for a replay.
   */
  useTotpStep(id: string, step: number): Promise<boolean>;
}

export interface GroupRepo {
  insert(group: NewGroup): Promise<Group>;
  insertMany(groups: NewGroup[]): Promise<void>;
  get(id: string): Promise<Group | null>;
  getByName(source: string, name: string): Promise<Group | null>;
  /** Map `${source}\u0000${nameKey}` -> id, for resolving import references. */
  idsByName(refs: { source: string; name: string }[]): Promise<Map<string, string>>;
  list(filter: GroupFilter, page: PageRequest): Promise<Page<Group>>;
  count(): Promise<number>;
  update(id: string, change: GroupChange, expectedVersion?: number): Promise<Group | null>;
  delete(id: string): Promise<boolean>;
}

export interface MembershipRepo {
  /**
   * Makes a direct membership. Returns false when the membership already existed (one held only by membership
   * rules becomes direct too, so it stays when the rules let go).
   */
  add(groupId: string, userId: string, at: string): Promise<boolean>;
  addMany(rows: Membership[]): Promise<number>;
  remove(groupId: string, userId: string, at: string): Promise<boolean>;
  has(groupId: string, userId: string): Promise<boolean>;
  /** The hot path at sign-in: every group of one user, in one indexed query. */
  groupsOfUser(userId: string): Promise<Group[]>;
  membersOfGroup(groupId: string, page: PageRequest): Promise<Page<User>>;
  count(): Promise<number>;
}

export interface NewApiToken {
  id: string;
  name: string;
  prefix: string;
  tokenHash: string;
  createdBy: string | null;
  at: string;
  expiresAt: string | null;
}

export interface TokenRepo {
  insert(token: NewApiToken): Promise<ApiToken>;
  list(): Promise<ApiToken[]>;
  get(id: string): Promise<ApiToken | null>;
  findActiveByHash(tokenHash: string, now: string): Promise<ApiToken | null>;
  touch(id: string, at: string): Promise<void>;
  revoke(id: string, at: string): Promise<boolean>;
}

export interface NewSession {
  idHash: string;
  userId: string;
  kind: Session["kind"];
  csrfToken: string;
  at: string;
  expiresAt: string;
}

export interface SessionRepo {
  insert(session: NewSession): Promise<void>;
  findActive(idHash: string, now: string): Promise<Session | null>;
  /** The active session and its user in one statement (every signed-in request asks for both). */
  findActiveWithUser(idHash: string, now: string): Promise<{ session: Session; user: User } | null>;
  touch(idHash: string, at: string): Promise<void>;
  delete(idHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  deleteExpired(now: string): Promise<number>;
}

export interface AdminRepo {
  grant(userId: string, role: string, at: string): Promise<void>;
  revoke(userId: string, role: string): Promise<boolean>;
  rolesOf(userId: string): Promise<string[]>;
}

/** Sign-in attempts counted per key in fixed windows (see core/access/throttle.ts). */
export interface SignInThrottleRepo {
  /**
   * Counts one attempt under `key` atomically and returns the count of its window, this attempt included. A
   * window that started at or before `expiredBefore` starts over at 1, so an expired lock is not renewed by
   * a single failure.
   */
  reserve(
    key: string,
    loginKey: string | null,
    now: string,
    expiredBefore: string,
  ): Promise<{ attempts: number; windowStart: string }>;
  /**
   * `reserve` for several distinct keys in one statement (one round trip), each counted atomically as there;
   * the counts by key.
   */
  reserveAll(
    entries: readonly { key: string; loginKey: string | null }[],
    now: string,
    expiredBefore: string,
  ): Promise<Map<string, { attempts: number; windowStart: string }>>;
  /** Gives an attempt back (it succeeded), never below zero. */
  release(key: string): Promise<void>;
  /** Forgets the keys: a success on (login, address), or an administrator's unlock of a login. */
  clear(keys: string[]): Promise<void>;
  clearLogin(loginKey: string): Promise<number>;
  /** The counts kept for a login (per address and over every address) whose window is still open. */
  openCountsOfLogin(
    loginKey: string,
    expiredBefore: string,
  ): Promise<Array<{ key: string; attempts: number; windowStart: string }>>;
}

export interface LogRepo {
  append(event: LogEvent): Promise<void>;
  list(filter: LogFilter, page: PageRequest): Promise<Page<LogEvent>>;
}

export interface Repos {
  apps: AppRepo;
  assignments: AssignmentRepo;
  upgradeNotices: UpgradeNoticeRepo;
  signingKeys: SigningKeyRepo;
  appSecrets: AppSecretRepo;
  roleCatalog: RoleCatalogRepo;
  outbox: OutboxRepo;
  provisioned: ProvisionedRepo;
  fullSyncs: FullSyncRepo;
  deviceAuthorizations: DeviceAuthorizationRepo;
  cliSessions: CliSessionRepo;
  migrationJournal: MigrationJournalRepo;
  users: UserRepo;
  groups: GroupRepo;
  memberships: MembershipRepo & RuleHeldMembershipRepo;
  membershipRules: MembershipRuleRepo;
  tokens: TokenRepo;
  sessions: SessionRepo;
  admins: AdminRepo;
  log: LogRepo;
  policyBackups: PolicyBackupRepo;
  signInThrottle: SignInThrottleRepo;
  directorySources: DirectorySourceRepo;
  /** Provisioning apps' SCIM budgets, shared by every node. */
  scimBudgets: ScimBudgetRepo;
  serverInfo: ServerInfoRepo;
  activationTokens: ActivationTokenRepo;
}

export interface Store extends Repos {
  readonly dialect: "sqlite" | "postgres";
  /** Runs `fn` in one transaction: all of its writes commit together or none do. */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
  /** Cheap round-trip to the database, for /readyz. */
  ping(): Promise<void>;
  /**
   * Refreshes the planner's statistics after a bulk change (an import): without them PostgreSQL may
   * plan a user's-groups lookup as a scan of every membership until autovacuum gets round to it.
   */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown by repositories when a unique constraint refuses a write. */
export class UniqueViolation extends Error {
  constructor(
    readonly constraint: "user_login" | "group_name" | "group_external_id" | "token_hash" | "app_slug" | "other",
  ) {
    super(`unique constraint violated: ${constraint}`);
    this.name = "UniqueViolation";
  }
}
