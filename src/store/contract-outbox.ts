/** Storage contract of the provisioning outbox. */

/** `directory`: a bulk change (an import) that every provisioning app takes in with a full sync. */
export type OutboxKind = "user" | "group" | "membership" | "assignment" | "app" | "directory";

export interface OutboxItem {
  id: string;
  kind: OutboxKind;
  /** The user, group or app the change is about. */
  objectId: string;
  /** Set when the change concerns one app only (an assignment); null when every app may care. */
  appId: string | null;
  payload: Record<string, unknown>;
  created: string;
  attempts: number;
  lastError: string | null;
}

export interface OutboxRepo {
  /** Written in the caller's transaction, with the change it describes. */
  enqueue(item: {
    id: string;
    kind: OutboxKind;
    objectId: string;
    appId?: string | null;
    payload?: Record<string, unknown>;
    at: string;
  }): Promise<void>;
  /**
   * Claims up to `limit` due rows for `worker` until `leaseUntil`. On PostgreSQL `FOR UPDATE SKIP LOCKED`
   * lets many workers claim at once without waiting on or double-claiming each other's rows; SQLite has
   * one writer, which gives the same guarantee. A crashed worker's rows come back when its lease ends.
   */
  claim(worker: string, now: string, leaseUntil: string, limit: number): Promise<OutboxItem[]>;
  /** Done: the rows leave the outbox. Only the worker holding the claim may complete them. */
  complete(worker: string, ids: readonly string[]): Promise<number>;
  /** Not done: back in the queue at `retryAt`, with the error kept for the status pages. */
  release(worker: string, id: string, error: string, retryAt: string): Promise<void>;
  depth(): Promise<number>;
}

/** One user or group on one provisioning target, as the last sync left it. */
export interface ProvisionedObject {
  appId: string;
  kind: "user" | "group";
  objectId: string;
  remoteId: string | null;
  /**
   * active / deactivated on the target, error (with lastError) when the last attempt failed, pending for a
   * pushed group no sync has reached yet (reported, never stored).
   */
  status: "active" | "deactivated" | "error" | "pending";
  lastError: string | null;
  /** Groups: the member user ids last written to the target. */
  members: string[] | null;
  /**
   * Set when a write was started and its outcome not yet recorded (the sync may have died): for a group the
   * members whose presence on the target is unknown, for a user `[]` (its own state is unknown).
   */
  inDoubt: string[] | null;
  syncedAt: string;
}

export interface ProvisionedRepo {
  listForApp(appId: string, kind?: ProvisionedObject["kind"]): Promise<ProvisionedObject[]>;
  upsert(o: ProvisionedObject): Promise<void>;
  /**
   * Marks a recorded object in doubt before a write (adds `members` to a group's doubt); nothing when the
   * object has no record yet. Run it in a transaction so two writers' marks are both kept.
   */
  markInDoubt(
    appId: string,
    kind: ProvisionedObject["kind"],
    objectId: string,
    members: readonly string[],
  ): Promise<void>;
  remove(appId: string, kind: ProvisionedObject["kind"], objectId: string): Promise<boolean>;
}

/** The last full reconciliation of one provisioning app (any trigger), and the lease of a scheduled one. */
export interface FullSyncRun {
  appId: string;
  startedAt: string;
  /** Null while it runs (or when the node running it died before the lease ended). */
  finishedAt: string | null;
  leaseUntil: string;
  error: string | null;
}

export interface FullSyncRepo {
  /**
   * Claims the app's scheduled full sync until `leaseUntil`: only when no node holds an unexpired lease and
   * the last full sync ended (or, never finished, started) before `notBefore`. One statement per case, so two
   * nodes cannot both win.
   */
  claim(appId: string, now: string, leaseUntil: string, notBefore: string): Promise<boolean>;
  /**
   * Records a full sync that started at `startedAt` and ended at `at`, whatever started it, and releases the
   * lease; ignored when a run that started later is already recorded.
   */
  finish(appId: string, startedAt: string, at: string, error: string | null): Promise<void>;
  get(appId: string): Promise<FullSyncRun | null>;
}
