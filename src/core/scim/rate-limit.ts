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
 * Token bucket for one target. A 429 with Retry-After pauses the whole bucket, not just the
 * request that got it: every request to that tenant would be refused until then anyway.
 */
export class TokenBucket {
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

  async take(): Promise<void> {
    for (;;) {
      const now = this.timer.nowMs();
      if (now < this.pausedUntil) {
        await this.wait(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.wait(Math.ceil(((1 - this.tokens) * 1000) / this.limit.ratePerSecond));
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
