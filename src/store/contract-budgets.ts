/** Which of an app's budgets: AWS's per-class throttles, or `all` for a target with one rate for everything. */
export type BudgetClass = "read" | "write" | "membership" | "all";

/** The bucket's shape, given with every take so a change of the app's limits applies at once on every node. */
export interface BucketLimit {
  ratePerSecond: number;
  burst: number;
}

export interface BudgetTake {
  granted: boolean;
  /** Tokens left after the take (negative: a request costlier than the burst left a debt to repay). */
  tokens: number;
  /** While in the future, nothing is granted: the target answered 429 with Retry-After. */
  pausedUntilMs: number;
}

/**
 * Token buckets kept in the database, so every node of rolebridge draws from one budget per app and class.
 * Times are the calling node's clock in milliseconds; a bucket's time only moves forward, so a node whose clock
 * is behind refills nothing until it catches up, and the buckets never grant more than the fastest clock allows.
 */
export interface ScimBudgetRepo {
  /**
   * Atomically (one statement) refills the bucket for the time since its last take and spends `cost` when
   * min(cost, burst) tokens are there and it is not paused; a new bucket starts full.
   */
  take(appId: string, kind: BudgetClass, cost: number, limit: BucketLimit, nowMs: number): Promise<BudgetTake>;
  /** Nothing is granted until `untilMs`; then refilling starts from at most one token (resume gently). */
  pause(appId: string, kind: BudgetClass, untilMs: number): Promise<void>;
  /** The bucket as last written (tokens not refilled since), or null before its first take. */
  get(appId: string, kind: BudgetClass): Promise<BucketState | null>;
}

export interface BucketState {
  tokens: number;
  updatedMs: number;
  pausedUntilMs: number;
}
