import type { SandboxHandle } from "../../src/sandbox/index.js";

/**
 * The most a token bucket (rate r per second, capacity `burst`) allows over any stretch [t_i, t_j] is
 * burst + r·(t_j − t_i). Returns the largest amount by which the timeline ([ms, units], as the sandbox recorded
 * what it let through) spends more than that, with `jitterMs` added to every stretch: requests granted apart
 * can arrive closer together (a busy event loop, the network). ≤ 0 means the rate held.
 */
export function worstExcess(
  timeline: ReadonlyArray<readonly [number, number]>,
  limit: { ratePerSecond: number; burst: number },
  jitterMs: number,
): { excess: number; units: number; spanMs: number } {
  const sorted = [...timeline].sort((a, b) => a[0] - b[0]);
  let worst = { excess: Number.NEGATIVE_INFINITY, units: 0, spanMs: 0 };
  for (let i = 0; i < sorted.length; i++) {
    let units = 0;
    for (let j = i; j < sorted.length; j++) {
      units += sorted[j]![1];
      const spanMs = sorted[j]![0] - sorted[i]![0];
      const excess = units - (limit.burst + (limit.ratePerSecond * (spanMs + jitterMs)) / 1000);
      if (excess > worst.excess) worst = { excess, units, spanMs };
    }
  }
  return worst;
}

/** The Identity Center instance's users (by userName) and groups (displayName → members' userNames). */
export function identityCenterView(sandbox: SandboxHandle, tenantId: string) {
  const instance = sandbox.state().identityCenter?.instances.find((i) => i.tenantId === tenantId);
  if (!instance) throw new Error(`no Identity Center instance ${tenantId}`);
  const userNames = new Map(instance.users.map((u) => [u.id, String(u.attributes.userName)]));
  return {
    userNames: instance.users.map((u) => String(u.attributes.userName)),
    groups: instance.groups.map((g) => ({
      displayName: g.displayName,
      members: g.memberIds.map((id) => userNames.get(id) ?? `?${id}`).sort(),
    })),
  };
}
