import { DEFAULT_THROTTLES, type InstanceSettings, type Throttle } from "./model.js";

/** mulberry32: tiny and good enough to decide faults; seeded, it makes a test's faults repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export type TrafficClass = "read" | "write" | "membership";

/** What one throttle let through and refused since the instance's settings last changed. */
export interface ClassTraffic {
  /** Requests let through, and the units they spent (membership: operations; else one per request). */
  requests: number;
  units: number;
  /** Requests this throttle refused with 429. */
  throttled: number;
  /** [time in ms, units] of each request let through, oldest first (at most TIMELINE_MAX kept). */
  timeline: Array<[number, number]>;
}

const TIMELINE_MAX = 200_000;

interface TenantTraffic {
  overall: Bucket | null;
  buckets: Record<TrafficClass, Bucket | null>;
  seen: Record<TrafficClass, ClassTraffic>;
  random: () => number;
}

/** What the request asks of the throttles: its API class, and the members it adds or removes. */
export interface RequestCost {
  isWrite: boolean;
  membershipOps: number;
}

export type Verdict =
  | { kind: "pass"; dropAfterWrite: boolean }
  | { kind: "throttle"; retryAfter: number }
  | { kind: "fail" };

const emptyClass = (): ClassTraffic => ({ requests: 0, units: 0, throttled: 0, timeline: [] });

/**
 * Throttling and fault decisions. Runtime only (never persisted): a restart starts every bucket full, like a
 * fresh connection to AWS would see. Each of AWS's throttles is its own bucket — reads, writes, and membership
 * operations (one unit per member a request adds or removes) — and a request passes only if every bucket it
 * draws from can pay; a refused request spends nothing.
 */
export class TrafficControl {
  private readonly tenants = new Map<string, TenantTraffic>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Settings changed: start fresh buckets and counters and, when seeded, a fresh fault sequence. */
  reset(tenantId: string): void {
    this.tenants.delete(tenantId);
  }

  /** What each throttle let through and refused (copies). */
  report(tenantId: string): Record<TrafficClass, ClassTraffic> {
    const seen = this.tenants.get(tenantId)?.seen;
    const copy = (c: ClassTraffic | undefined) => (c ? { ...c, timeline: [...c.timeline] } : emptyClass());
    return { read: copy(seen?.read), write: copy(seen?.write), membership: copy(seen?.membership) };
  }

  decide(tenantId: string, settings: InstanceSettings, cost: RequestCost): Verdict {
    const traffic = this.traffic(tenantId, settings);
    const { faults } = settings;
    if (faults.status429Rate > 0 && traffic.random() < faults.status429Rate) return { kind: "throttle", retryAfter: 1 };
    const throttles = settings.throttles ?? DEFAULT_THROTTLES;
    const apiClass: TrafficClass = cost.isWrite ? "write" : "read";
    const draws: Array<{ bucket: Bucket; limit: Throttle; units: number; name: TrafficClass | null }> = [];
    const rate = settings.rateLimitPerSecond;
    if (traffic.overall && rate !== undefined && rate > 0)
      draws.push({ bucket: traffic.overall, limit: overallLimit(settings), units: 1, name: null });
    const classBucket = traffic.buckets[apiClass];
    const classLimit = throttles[apiClass];
    if (classBucket && classLimit) draws.push({ bucket: classBucket, limit: classLimit, units: 1, name: apiClass });
    const members = traffic.buckets.membership;
    if (cost.membershipOps > 0 && members && throttles.membership)
      draws.push({ bucket: members, limit: throttles.membership, units: cost.membershipOps, name: "membership" });

    const now = this.clock();
    let wait = 0;
    for (const draw of draws) {
      const { bucket, limit } = draw;
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * limit.ratePerSecond);
      bucket.refilledAt = now;
      // A request larger than the burst passes on a full bucket (and leaves it in debt): it could never pass else.
      const needed = Math.min(draw.units, limit.burst);
      if (bucket.tokens < needed) {
        wait = Math.max(wait, (needed - bucket.tokens) / limit.ratePerSecond);
        if (draw.name) traffic.seen[draw.name].throttled++;
      }
    }
    if (wait > 0) return { kind: "throttle", retryAfter: Math.max(1, Math.ceil(wait)) };
    for (const draw of draws) {
      draw.bucket.tokens -= draw.units;
      if (draw.name) record(traffic.seen[draw.name], now, draw.units);
    }
    if (faults.status500Rate > 0 && traffic.random() < faults.status500Rate) return { kind: "fail" };
    const drop = cost.isWrite && faults.dropAfterWriteRate > 0 && traffic.random() < faults.dropAfterWriteRate;
    return { kind: "pass", dropAfterWrite: drop };
  }

  private traffic(tenantId: string, settings: InstanceSettings): TenantTraffic {
    let traffic = this.tenants.get(tenantId);
    if (!traffic) {
      const now = this.clock();
      const full = (limit: Throttle | null): Bucket | null => (limit ? { tokens: limit.burst, refilledAt: now } : null);
      const throttles = settings.throttles ?? DEFAULT_THROTTLES;
      traffic = {
        overall: settings.rateLimitPerSecond ? full(overallLimit(settings)) : null,
        buckets: { read: full(throttles.read), write: full(throttles.write), membership: full(throttles.membership) },
        seen: { read: emptyClass(), write: emptyClass(), membership: emptyClass() },
        random: settings.seed === undefined ? Math.random : seededRandom(settings.seed),
      };
      this.tenants.set(tenantId, traffic);
    }
    return traffic;
  }
}

function overallLimit(settings: InstanceSettings): Throttle {
  const rate = settings.rateLimitPerSecond ?? 1;
  return { ratePerSecond: rate, burst: Math.max(1, settings.burst ?? Math.ceil(rate)) };
}

function record(seen: ClassTraffic, now: number, units: number): void {
  seen.requests++;
  seen.units += units;
  if (seen.timeline.length < TIMELINE_MAX) seen.timeline.push([now, units]);
}
