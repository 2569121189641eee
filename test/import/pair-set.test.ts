import { describe, expect, it } from "vitest";
import { PairSet } from "../../src/core/import/pair-set.js";

describe("PairSet", () => {
  it("agrees with a Set of strings through many growths", () => {
    const pairs = new PairSet(4);
    const reference = new Set<string>();
    let seed = 42;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 200_000; i++) {
      const a = next(5000);
      const b = next(300);
      expect(pairs.add(a, b)).toBe(!reference.has(`${a},${b}`));
      reference.add(`${a},${b}`);
    }
    expect(pairs.size).toBe(reference.size);
  });

  it("tells (a, b) from (b, a) and handles index 0", () => {
    const pairs = new PairSet();
    expect(pairs.add(0, 0)).toBe(true);
    expect(pairs.add(0, 1)).toBe(true);
    expect(pairs.add(1, 0)).toBe(true);
    expect(pairs.add(0, 1)).toBe(false);
    expect(pairs.size).toBe(3);
  });
});
