/** Storage contract for applications, assignments, signing keys and sealed app secrets. */
import type {
  App,
  AppAssignment,
  AppStatus,
  AppUpgradeNotice,
  PrincipalType,
  SigningKey,
  SigningKeyState,
  UpgradeNoticeDetails,
} from "../core/apps/model.js";
import type { Group } from "../core/directory/model.js";
import type { Page, PageRequest } from "./contract.js";

export interface NewApp {
  id: string;
  slug: string;
  type: App["type"];
  label: string;
  status: AppStatus;
  settings: Record<string, unknown>;
  /** Provisioning apps: false until the admin enables provisioning (absent: true). */
  provisioningEnabled?: boolean;
  at: string;
}

export interface AppChange {
  label?: string;
  status?: AppStatus;
  settings?: Record<string, unknown>;
  provisioningEnabled?: boolean;
  at: string;
}

export interface AppRepo {
  insert(app: NewApp): Promise<App>;
  get(id: string): Promise<App | null>;
  getBySlug(slug: string): Promise<App | null>;
  /**
   * The app and its active signing key (null when it has none) in one statement: a sign-in needs both, and the
   * key row read with the app is as current as the app (a rotation on another node is seen at once).
   */
  getBySlugWithActiveKey(slug: string): Promise<{ app: App; activeKey: SigningKey | null } | null>;
  list(filter: { type?: App["type"] | undefined }, page: PageRequest): Promise<Page<App>>;
  update(id: string, change: AppChange, expectedVersion?: number): Promise<App | null>;
  delete(id: string): Promise<boolean>;
  /** Whether any app of these types exists (cheap: decides whether changes need provisioning work). */
  anyOfTypes(types: readonly App["type"][]): Promise<boolean>;
}

export interface AssignmentRepo {
  /**
   * A user's groups (by id) and the app's assignments reaching the user or those groups (by principal type, then
   * id), in one statement: what role resolution reads at every sign-in.
   */
  withGroupsOfUser(appId: string, userId: string): Promise<{ groups: Group[]; assignments: AppAssignment[] }>;
  /**
   * Creates or replaces the assignment's profile. Returns true when it was new. `priority` (group assignments)
   * is written when given; callers keep it unique per app (`renumberGroupPriorities`).
   */
  upsert(a: {
    appId: string;
    principalType: PrincipalType;
    principalId: string;
    profile: Record<string, unknown>;
    priority?: number | null;
    at: string;
  }): Promise<boolean>;
  /** Gives the app's group assignments the priorities 0..n-1 in the order of `groupIds` (all of them). */
  renumberGroupPriorities(appId: string, groupIds: readonly string[]): Promise<void>;
  remove(appId: string, principalType: PrincipalType, principalId: string): Promise<boolean>;
  get(appId: string, principalType: PrincipalType, principalId: string): Promise<AppAssignment | null>;
  listForApp(appId: string): Promise<AppAssignment[]>;
  /** The assignments that reach one user on one app: direct, or through any of the given groups. */
  forUser(appId: string, userId: string, groupIds: readonly string[]): Promise<AppAssignment[]>;
  /** Ids of the apps a user reaches directly or through the given groups (the dashboard's tiles). */
  appIdsForUser(userId: string, groupIds: readonly string[]): Promise<string[]>;
}

export interface UpgradeNoticeRepo {
  /** Notices the runtime has still to compute (details null), oldest first. */
  listUncomputed(): Promise<AppUpgradeNotice[]>;
  /** Stores the computed details; false when another node already did (so only one logs it). */
  complete(id: string, details: UpgradeNoticeDetails): Promise<boolean>;
  listForApp(appId: string, opts: { includeAcknowledged: boolean }): Promise<AppUpgradeNotice[]>;
  get(id: string): Promise<AppUpgradeNotice | null>;
  acknowledge(id: string, by: string, at: string): Promise<boolean>;
}

export interface SigningKeyRepo {
  insert(k: Omit<SigningKey, "activated" | "retired">): Promise<SigningKey>;
  listForApp(appId: string): Promise<SigningKey[]>;
  setState(id: string, state: SigningKeyState, at: string): Promise<SigningKey | null>;
}

export interface AppSecretRepo {
  put(appId: string, name: string, sealed: string, at: string): Promise<void>;
  get(appId: string, name: string): Promise<string | null>;
  delete(appId: string, name: string): Promise<boolean>;
}

/** One connected account's role list as the last refresh found it (legacy API mode). */
export interface AccountRoleList {
  appId: string;
  accountId: string;
  alias: string | null;
  /**
   * `samlAssumable`: whether the role's trust policy admits any SAML provider (issue 16); absent on lists
   * refreshed before rolebridge recorded it, which count as assumable until the next refresh.
   */
  roles: Array<{ arn: string; name: string; path: string; samlAssumable?: boolean }>;
  status: "ok" | "error";
  error: string | null;
  refreshedAt: string;
}

export interface RefreshRun {
  appId: string;
  leaseUntil: string;
  startedAt: string;
  finishedAt: string | null;
  status: "running" | "ok" | "partial" | "error";
  error: string | null;
}

export interface RoleCatalogRepo {
  put(list: AccountRoleList): Promise<void>;
  listForApp(appId: string): Promise<AccountRoleList[]>;
  /** Drops lists of accounts no longer connected. */
  retainAccounts(appId: string, accountIds: readonly string[]): Promise<number>;
  /**
   * Claims the app's refresh when no other node holds an unexpired lease (and, when `notBefore` is
   * given, when the last run started before it). One statement, so two nodes cannot both win.
   */
  claimRefresh(appId: string, now: string, leaseUntil: string, notBefore?: string): Promise<boolean>;
  finishRefresh(appId: string, at: string, status: RefreshRun["status"], error: string | null): Promise<void>;
  lastRefresh(appId: string): Promise<RefreshRun | null>;
}
