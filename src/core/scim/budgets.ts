import { type RateLimit, type RequestBudget, type Timer, TokenBucket } from "./rate-limit.js";

/**
 * What a target allows per second, by kind of request. AWS IAM Identity Center throttles each Identity Store
 * instance per API class — reads and writes apart — and counts every member added or removed by a group create
 * or PATCH against a separate membership-operation throttle.
 */
export interface BudgetLimits {
  read: RateLimit;
  write: RateLimit;
  /** Units are membership operations (one per member in a request), not requests. */
  membership: RateLimit;
}

/** The budgets a client draws from: every request from `read` or `write`, group membership writes also from `membership`. */
export interface ScimBudgets {
  read: RequestBudget;
  write: RequestBudget;
  membership?: RequestBudget;
}

/**
 * AWS's documented defaults per Identity Store instance: 40 read and 25 write transactions per second. The
 * membership-operation throttle is documented without a figure; 100 operations a second with a burst of 100 is
 * rolebridge's assumption — the smallest burst that lets AWS's largest membership request (100 members) through.
 */
export const AWS_DEFAULT_BUDGETS: BudgetLimits = {
  read: { ratePerSecond: 40, burst: 40 },
  write: { ratePerSecond: 25, burst: 25 },
  membership: { ratePerSecond: 100, burst: 100 },
};

/**
 * Membership operations are paced this far under their budget. They are drawn before the write that carries
 * them, and the wait for that write (up to one write interval) shifts when the target sees them; at exactly the
 * target's rate that shift alone draws 429s, each costing a Retry-After second.
 */
export const MEMBERSHIP_HEADROOM = 0.95;

/**
 * Writes are paced a hair under their budget. Two lanes send writes side by side, and a few milliseconds of
 * difference in their requests' travel can bring two writes to the target closer together than the client spent
 * them; with the target's bucket empty (a large sync keeps it so) that draws a 429 and a Retry-After second of no
 * writes at all. Spending 0.2 % under the rate lets the target's bucket keep a token's cushion after a few seconds.
 */
export const WRITE_HEADROOM = 0.998;

export type BudgetKind = keyof BudgetLimits;

/** Budgets per class made by `make` (in-process, or kept in the database), writes and memberships under their headroom. */
export function perClassBudgets(
  limits: BudgetLimits,
  make: (kind: BudgetKind, limit: RateLimit) => RequestBudget,
): ScimBudgets {
  const membership = { ...limits.membership, ratePerSecond: limits.membership.ratePerSecond * MEMBERSHIP_HEADROOM };
  const write = { ...limits.write, ratePerSecond: limits.write.ratePerSecond * WRITE_HEADROOM };
  return {
    read: make("read", limits.read),
    write: make("write", write),
    membership: make("membership", membership),
  };
}

/** In-process token buckets for the limits: what one node of rolebridge shares between the syncs of one app. */
export function inProcessBudgets(limits: BudgetLimits, timer: Timer): ScimBudgets {
  return perClassBudgets(limits, (_kind, limit) => new TokenBucket(limit, timer));
}

/** One budget for every request: targets that publish no per-class limits. */
export function singleBudget(budget: RequestBudget): ScimBudgets {
  return { read: budget, write: budget };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const countOf = (value: unknown) => (Array.isArray(value) ? value.length : value === undefined ? 0 : 1);

/**
 * Membership operations in a request, as AWS counts them: each member in a group create, each member added or
 * removed by a group PATCH (`members[value eq "…"]` names one). Everything else costs none.
 */
export function membershipCost(method: string, path: string, body: unknown): number {
  if (!isObject(body) || !/^\/Groups(\/[^/]+)?$/.test(path)) return 0;
  if (method === "POST") return countOf(body.members);
  if (method !== "PATCH" || !Array.isArray(body.Operations)) return 0;
  let cost = 0;
  for (const op of body.Operations) {
    if (!isObject(op)) continue;
    const target = typeof op.path === "string" ? op.path.trim().toLowerCase() : "";
    if (target.startsWith("members[")) cost += 1;
    else if (target === "members") cost += countOf(op.value);
    else if (target === "" && isObject(op.value)) cost += countOf(op.value.members);
  }
  return cost;
}
