import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

describe.each(backends)("sign-in throttle store on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => cleanup?.());

  const T0 = "2026-03-01T00:00:00.000Z";
  const T1 = "2026-03-01T00:05:00.000Z";
  const T2 = "2026-03-01T00:20:00.000Z";

  it("counts concurrent reservations exactly once each", async () => {
    const counts = await Promise.all(
      Array.from({ length: 40 }, () =>
        store.signInThrottle.reserve("k-concurrent", "ann", T0, "2026-02-28T00:00:00.000Z"),
      ),
    );
    expect(counts.map((c) => c.attempts).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("starts a new window once the old one started at or before the cut-off", async () => {
    expect((await store.signInThrottle.reserve("k-window", "bob", T0, "2026-02-28T23:45:00.000Z")).attempts).toBe(1);
    expect(await store.signInThrottle.reserve("k-window", "bob", T1, "2026-02-28T23:50:00.000Z")).toEqual({
      attempts: 2,
      windowStart: T0,
    });
    expect(await store.signInThrottle.reserve("k-window", "bob", T2, "2026-03-01T00:05:00.000Z")).toEqual({
      attempts: 1,
      windowStart: T2,
    });
  });

  it("releases never below zero, clears keys, and clears every key of a login", async () => {
    await store.signInThrottle.release("k-release");
    await store.signInThrottle.reserve("k-release", null, T0, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.release("k-release");
    await store.signInThrottle.release("k-release");
    expect((await store.signInThrottle.reserve("k-release", null, T0, "2000-01-01T00:00:00.000Z")).attempts).toBe(1);
    await store.signInThrottle.reserve("a1", "carl", T0, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.reserve("a2", "carl", T0, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.reserve("a3", null, T0, "2000-01-01T00:00:00.000Z");
    expect(await store.signInThrottle.clearLogin("carl")).toBe(2);
    await store.signInThrottle.clear(["a3"]);
    expect((await store.signInThrottle.reserve("a3", null, T0, "2000-01-01T00:00:00.000Z")).attempts).toBe(1);
  });

  it("lists a login's counts whose window is still open, and only that login's", async () => {
    await store.signInThrottle.reserve("pair:dora@x", "dora", T0, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.reserve("pair:dora@x", "dora", T1, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.reserve("login:dora", "dora", T0, "2000-01-01T00:00:00.000Z");
    await store.signInThrottle.reserve("pair:ed@x", "ed", T0, "2000-01-01T00:00:00.000Z");
    expect(await store.signInThrottle.openCountsOfLogin("dora", "2026-02-28T23:00:00.000Z")).toEqual([
      { key: "login:dora", attempts: 1, windowStart: T0 },
      { key: "pair:dora@x", attempts: 2, windowStart: T0 },
    ]);
    // A window that started at or before the cut-off is over (reserve would start it again at 1).
    expect(await store.signInThrottle.openCountsOfLogin("dora", T0)).toEqual([]);
  });
});
