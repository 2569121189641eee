import type { SignInThrottleRepo } from "../../store/contract.js";
import type { Clock } from "../ids.js";

export interface ThrottlePolicy {
  /** Attempts per (login, client address) in one window: the lock a person at one place can hit. */
  maxAttempts: number;
  /** The window, and so how long a lock lasts at most. */
  lockoutMinutes: number;
  /** Attempts per client address over every login (password spraying); default 20 × maxAttempts. */
  perAddressAttempts?: number;
  /**
   * Attempts per login over every address: the slower global back-off that stops a distributed guess
   * without letting one address lock a person out everywhere; default 4 × maxAttempts.
   */
  perLoginAttempts?: number;
}

export interface Reservation {
  keys: { pair: string; address: string; login: string };
  /** Set when a limit is exceeded: no password may be checked before this time. */
  refusedUntil: string | null;
}

/**
 * Counts sign-in attempts before their password is checked. Every attempt reserves one count under three
 * keys; whichever goes over its limit refuses the attempt unverified. Unknown logins are counted exactly
 * like known ones, so the answers never tell which logins exist.
 */
export class SignInThrottle {
  constructor(
    private readonly repo: () => SignInThrottleRepo,
    private readonly policy: ThrottlePolicy,
    private readonly clock: Clock,
  ) {}

  async reserve(loginKey: string, clientAddress: string | null): Promise<Reservation> {
    const address = clientAddress || "unknown";
    const keys = {
      pair: `pair:${JSON.stringify([loginKey, address])}`,
      address: `addr:${address}`,
      login: `login:${loginKey}`,
    };
    const now = this.clock.now();
    const windowMs = this.policy.lockoutMinutes * 60_000;
    const expiredBefore = new Date(now.getTime() - windowMs).toISOString();
    const limits: [string, string | null, number][] = [
      [keys.pair, loginKey, this.policy.maxAttempts],
      [keys.address, null, this.policy.perAddressAttempts ?? this.policy.maxAttempts * 20],
      [keys.login, loginKey, this.policy.perLoginAttempts ?? this.policy.maxAttempts * 4],
    ];
    let refusedUntil: string | null = null;
    // All three counted in one statement (one database round trip per attempt, not three).
    const counts = await this.repo().reserveAll(
      limits.map(([key, loginKey]) => ({ key, loginKey })),
      now.toISOString(),
      expiredBefore,
    );
    for (const [key, , limit] of limits) {
      const counted = counts.get(key);
      // Every key is inserted or updated, so each has a row back; a missing one is a store fault, not a pass.
      if (!counted) throw new Error(`sign-in throttle: no count returned for a key`);
      if (counted.attempts > limit) {
        const until = new Date(Date.parse(counted.windowStart) + windowMs).toISOString();
        if (!refusedUntil || until > refusedUntil) refusedUntil = until;
      }
    }
    return { keys, refusedUntil };
  }

  /** A right password: this person at this address starts over; the address keeps no count for it. */
  async succeeded(reservation: Reservation): Promise<void> {
    await this.repo().clear([reservation.keys.pair, reservation.keys.login]);
    await this.repo().release(reservation.keys.address);
  }

  /**
   * Until when the login's next attempt would be refused somewhere (at one address, or everywhere), or null:
   * a count that reached its limit refuses the next attempt (reserve refuses above the limit, this one included).
   */
  async lockedUntil(loginKey: string): Promise<{ until: string; everywhere: boolean } | null> {
    const windowMs = this.policy.lockoutMinutes * 60_000;
    const expiredBefore = new Date(this.clock.now().getTime() - windowMs).toISOString();
    let until: string | null = null;
    let everywhere = false;
    for (const count of await this.repo().openCountsOfLogin(loginKey, expiredBefore)) {
      const overall = count.key.startsWith("login:");
      const limit = overall ? (this.policy.perLoginAttempts ?? this.policy.maxAttempts * 4) : this.policy.maxAttempts;
      if (count.attempts < limit) continue;
      const ends = new Date(Date.parse(count.windowStart) + windowMs).toISOString();
      if (until === null || ends > until) until = ends;
      everywhere ||= overall;
    }
    return until === null ? null : { until, everywhere };
  }

  /** An administrator's unlock: every count kept for the login, at every address. */
  unlock(loginKey: string): Promise<number> {
    return this.repo().clearLogin(loginKey);
  }
}
