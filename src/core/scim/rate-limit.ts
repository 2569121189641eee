/** Time as the engine sees it: injectable so tests run instantly and deterministically. */
export interface Timer {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemTimer: Timer = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimit {
  /** Sustained requests per second. */
  ratePerSecond: number;
  /** Requests that may go out back to back after a quiet spell. */
  burst: number;
}

/**
 * What a request draws from before it is sent. The in-process TokenBucket is one implementation; a shared one
 * (database, Redis) can stand in for it so that several nodes keep one budget per target together.
 */
export interface RequestBudget {
  /** Waits until `cost` units (1 by default) may be spent, then spends them. */
  take(cost?: number): Promise<void>;
  /** The target answered 429 with Retry-After: nothing is drawn from this budget until then. */
  pauseFor(ms: number): void;
}

/**
 * Token bucket for one target. A 429 with Retry-After pauses the whole bucket, not just the
 * request that got it: every request to that tenant would be refused until then anyway.
 *
 * A cost above the burst (a 100-member PATCH against a smaller burst) waits for a full bucket and leaves it in
 * debt, so the next request waits until the debt is repaid: the long-run rate holds whatever the costs.
 */
export class TokenBucket implements RequestBudget {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  /** Milliseconds spent waiting, for the metrics layer. */
  waitedMs = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly timer: Timer,
  ) {
    this.tokens = limit.burst;
    this.last = timer.nowMs();
  }

  async take(cost = 1): Promise<void> {
    const needed = Math.min(cost, this.limit.burst);
    for (;;) {
      const now = this.timer.nowMs();
      if (now < this.pausedUntil) {
        await this.wait(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= needed) {
        this.tokens -= cost;
        return;
      }
      await this.wait(Math.ceil(((needed - this.tokens) * 1000) / this.limit.ratePerSecond));
    }
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.timer.nowMs() + ms);
    // After a throttle, resume gently instead of firing a whole burst into the same wall.
    this.tokens = Math.min(this.tokens, 1);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.ratePerSecond) / 1000);
    this.last = now;
  }

  private async wait(ms: number): Promise<void> {
    this.waitedMs += ms;
    await this.timer.sleep(ms);
  }
}
