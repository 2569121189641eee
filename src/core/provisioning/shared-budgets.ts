import type { Store } from "../../store/contract.js";
import type { BudgetClass, BudgetTake } from "../../store/contract-budgets.js";
import { perClassBudgets, singleBudget } from "../scim/budgets.js";
import { type RateLimit, type RequestBudget, systemTimer, type Timer } from "../scim/rate-limit.js";
import type { BudgetFactory } from "./targets.js";

/** How long a take waits for a database that does not answer before its request fails. */
export const STORE_PATIENCE_MS = 30_000;

/**
 * One of an app's budgets kept in the database (`scim_budgets`), so that every node draws from it: the target
 * (AWS: per Identity Store instance) counts the requests of all nodes together, whatever each node's own pace.
 *
 * Each take is one UPDATE that refills, checks and spends atomically, and grants only what the bucket holds, so
 * all nodes together never send more than rate × time + burst. Waiters of this process queue behind one
 * another and only the head asks the database, so a busy node costs one statement per attempt, not one per
 * waiting request. A 429's Retry-After pauses the shared bucket too: no node sends into the same wall.
 */
export class SharedBudget implements RequestBudget {
  private queue: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  /** Milliseconds spent waiting, for the metrics layer and tests. */
  waitedMs = 0;

  constructor(
    private readonly store: Store,
    private readonly appId: string,
    private readonly kind: BudgetClass,
    private readonly limit: RateLimit,
    private readonly timer: Timer = systemTimer,
  ) {}

  take(cost = 1): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(cost));
    // A failed take (the database is down) fails its own request only; the next waiter tries again.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  pauseFor(ms: number): void {
    const until = this.timer.nowMs() + ms;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    // The pause holds on this node at once; the other nodes learn it from the bucket. If that write fails, they
    // meet the target's 429 themselves and pause then.
    this.store.scimBudgets.pause(this.appId, this.kind, until).catch(() => undefined);
  }

  private async takeNow(cost: number): Promise<void> {
    const needed = Math.min(cost, this.limit.burst);
    let failingSince: number | null = null;
    let retryMs = 100;
    for (;;) {
      const now = this.timer.nowMs();
      if (now < this.pausedUntil) {
        await this.wait(this.pausedUntil - now);
        continue;
      }
      let taken: BudgetTake;
      try {
        taken = await this.store.scimBudgets.take(this.appId, this.kind, cost, this.limit, now);
        failingSince = null;
      } catch (err) {
        // Without the database nothing can be granted safely, so the request waits as if the budget were empty:
        // a database restart or a dropped connection costs a delay, not a failed write (which would otherwise be
        // recorded as the object's error). Only a database gone for longer fails the request.
        failingSince ??= now;
        if (now - failingSince >= STORE_PATIENCE_MS) {
          const message = err instanceof Error ? err.message : String(err);
          throw new Error(`the app's SCIM budget could not be taken from the database: ${message}`, { cause: err });
        }
        await this.wait(retryMs);
        retryMs = Math.min(retryMs * 2, 2_000);
        continue;
      }
      if (taken.granted) return;
      const refill = Math.ceil(((needed - taken.tokens) * 1000) / this.limit.ratePerSecond);
      await this.wait(Math.max(1, taken.pausedUntilMs > now ? taken.pausedUntilMs - now : refill));
    }
  }

  private async wait(ms: number): Promise<void> {
    this.waitedMs += ms;
    await this.timer.sleep(ms);
  }
}

/** Budgets kept in the store: every node of rolebridge (and a CLI "sync now" beside a server) shares one per app. */
export function sharedBudgetFactory(store: Store, timer: Timer = systemTimer): BudgetFactory {
  return (appId, limits) =>
    "perClass" in limits
      ? perClassBudgets(limits.perClass, (kind, limit) => new SharedBudget(store, appId, kind, limit, timer))
      : singleBudget(new SharedBudget(store, appId, "all", limits.single, timer));
}
