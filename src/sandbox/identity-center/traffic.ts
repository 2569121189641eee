import type { InstanceSettings } from "./model.js";

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

interface TenantTraffic {
  tokens: number;
  refilledAt: number;
  random: () => number;
}

export type Verdict =
  | { kind: "pass"; dropAfterWrite: boolean }
  | { kind: "throttle"; retryAfter: number }
  | { kind: "fail" };

/**
 * Throttling and fault decisions. Runtime only (never persisted): a restart starts every bucket full, like a
 * fresh connection to AWS would see.
 */
export class TrafficControl {
  private readonly tenants = new Map<string, TenantTraffic>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Settings changed: start a fresh bucket and, when seeded, a fresh fault sequence. */
  reset(tenantId: string): void {
    this.tenants.delete(tenantId);
  }

  decide(tenantId: string, settings: InstanceSettings, isWrite: boolean): Verdict {
    const traffic = this.traffic(tenantId, settings);
    const { faults } = settings;
    if (faults.status429Rate > 0 && traffic.random() < faults.status429Rate) return { kind: "throttle", retryAfter: 1 };
    const rate = settings.rateLimitPerSecond;
    if (rate !== undefined && rate > 0) {
      const burst = Math.max(1, settings.burst ?? Math.ceil(rate));
      const now = this.clock();
      traffic.tokens = Math.min(burst, traffic.tokens + ((now - traffic.refilledAt) / 1000) * rate);
      traffic.refilledAt = now;
      if (traffic.tokens < 1)
        return { kind: "throttle", retryAfter: Math.max(1, Math.ceil((1 - traffic.tokens) / rate)) };
      traffic.tokens -= 1;
    }
    if (faults.status500Rate > 0 && traffic.random() < faults.status500Rate) return { kind: "fail" };
    const drop = isWrite && faults.dropAfterWriteRate > 0 && traffic.random() < faults.dropAfterWriteRate;
    return { kind: "pass", dropAfterWrite: drop };
  }

  private traffic(tenantId: string, settings: InstanceSettings): TenantTraffic {
    let traffic = this.tenants.get(tenantId);
    if (!traffic) {
      const burst = Math.max(1, settings.burst ?? Math.ceil(settings.rateLimitPerSecond ?? 1));
      traffic = {
        tokens: burst,
        refilledAt: this.clock(),
        random: settings.seed === undefined ? Math.random : seededRandom(settings.seed),
      };
      this.tenants.set(tenantId, traffic);
    }
    return traffic;
  }
}
