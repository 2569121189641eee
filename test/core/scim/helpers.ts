import type { DesiredGroup, DesiredUser } from "../../../src/core/scim/index.js";
import type { Timer } from "../../../src/core/scim/rate-limit.js";

/** Time that only moves when the engine sleeps: backoff and rate limits cost nothing, and are recorded. */
export function manualTimer(start = Date.parse("2026-01-01T00:00:00Z")) {
  let now = start;
  const sleeps: number[] = [];
  const timer: Timer = {
    nowMs: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { timer, sleeps, elapsed: () => now - start };
}

/** The sandbox's seeded RNG (mulberry32), so jitter and fault injection replay identically. */
export { seededRandom } from "../../../src/sandbox/identity-center/traffic.js";

const pad = (n: number) => String(n).padStart(4, "0");

export function makeUser(n: number, overrides: Partial<DesiredUser> = {}): DesiredUser {
  return {
    externalId: `usr_${pad(n)}`,
    userName: `person${pad(n)}@example.com`,
    givenName: `Given${n}`,
    familyName: `Family${n}`,
    displayName: `Given${n} Family${n}`,
    email: `person${pad(n)}@example.com`,
    active: true,
    ...overrides,
  };
}

export function makeUsers(count: number, from = 1): DesiredUser[] {
  return Array.from({ length: count }, (_, i) => makeUser(from + i));
}

export function makeGroup(n: number, members: DesiredUser[]): DesiredGroup {
  return { externalId: `grp_${pad(n)}`, displayName: `team-${n}`, memberExternalIds: members.map((u) => u.externalId) };
}
