import { describe, expect, it } from "vitest";
import { worstExcess } from "./measure.js";

describe("worstExcess (the fault suite's SCIM rate measure)", () => {
  const limit = { ratePerSecond: 2, burst: 2 };

  it("finds a timeline that stays within rate + burst", () => {
    // A full bucket (2 at once), then one every 500 ms: exactly what the bucket allows.
    const timeline: [number, number][] = [
      [0, 1],
      [0, 1],
      [500, 1],
      [1000, 1],
      [1500, 1],
    ];
    expect(worstExcess(timeline, limit, 0).excess).toBeLessThanOrEqual(0);
  });

  it("finds the stretch where three buckets together spent more than one", () => {
    const timeline: [number, number][] = [];
    for (let node = 0; node < 3; node++) timeline.push([0, 1], [0, 1], [500, 1], [1000, 1]);
    const worst = worstExcess(timeline, limit, 0);
    expect(worst).toEqual({ excess: 12 - (2 + 2), units: 12, spanMs: 1000 });
  });

  it("counts units (membership operations), not requests, and forgives the jitter it is given", () => {
    expect(worstExcess([[0, 5]], { ratePerSecond: 10, burst: 4 }, 0).excess).toBe(1);
    expect(worstExcess([[0, 5]], { ratePerSecond: 10, burst: 4 }, 100).excess).toBe(0);
  });
});
