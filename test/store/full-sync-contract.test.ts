import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { backends } from "../helpers/backends.js";

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();

describe.each(backends)("provisioning full-sync lease on $name", (backend) => {
  let store: Store;
  let databaseUrl: string | undefined;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, databaseUrl, cleanup } = await backend.open());
  });
  afterAll(async () => cleanup?.());

  const newApp = async () =>
    (
      await store.apps.insert({
        id: newId("app"),
        slug: `sso-${Math.random().toString(36).slice(2, 10)}`,
        type: "aws-iam-identity-center",
        label: "SSO",
        status: "ACTIVE",
        settings: {},
        at: t(0),
      })
    ).id;

  it("claims a never-synced app once, holds it for the lease, and again only an interval after the last run", async () => {
    const app = await newApp();
    expect(await store.fullSyncs.get(app)).toBeNull();
    expect(await store.fullSyncs.claim(app, t(0), t(30), t(-60))).toBe(true);
    // Another node in the same minute, and even with a zero interval while the lease holds.
    expect(await store.fullSyncs.claim(app, t(0), t(30), t(-60))).toBe(false);
    expect(await store.fullSyncs.claim(app, t(10), t(40), t(10))).toBe(false);
    await store.fullSyncs.finish(app, t(0), t(5), null);
    expect(await store.fullSyncs.get(app)).toEqual({
      appId: app,
      startedAt: t(0),
      finishedAt: t(5),
      leaseUntil: t(5),
      error: null,
    });
    // Due counts from the end of the last run: ended at 00:05, so a 60-minute interval is not up at 01:04.
    expect(await store.fullSyncs.claim(app, t(64), t(94), t(4))).toBe(false);
    expect(await store.fullSyncs.claim(app, t(66), t(96), t(6))).toBe(true);
    expect((await store.fullSyncs.get(app))?.finishedAt).toBeNull();
  });

  it("counts any full sync, keeps the later run, and gives a crashed node's claim back when its lease ends", async () => {
    const app = await newApp();
    await store.fullSyncs.finish(app, t(10), t(12), "target unreachable");
    expect((await store.fullSyncs.get(app))?.error).toBe("target unreachable");
    // An earlier run ending late does not move the record back.
    await store.fullSyncs.finish(app, t(5), t(13), null);
    expect(await store.fullSyncs.get(app)).toMatchObject({ startedAt: t(10), finishedAt: t(12) });
    expect(await store.fullSyncs.claim(app, t(20), t(50), t(11))).toBe(false);
    expect(await store.fullSyncs.claim(app, t(20), t(50), t(13))).toBe(true);
    // The node dies without finishing: after the lease, the unfinished run's start decides.
    expect(await store.fullSyncs.claim(app, t(49), t(79), t(30))).toBe(false);
    expect(await store.fullSyncs.claim(app, t(50), t(80), t(30))).toBe(true);
  });

  it("lets exactly one of many concurrent claimers win", async () => {
    const app = await newApp();
    // Separate connections on PostgreSQL, so the claims really race; SQLite has one writer.
    const others = databaseUrl
      ? await Promise.all([1, 2, 3].map(() => openPostgresStore(databaseUrl as string, { poolSize: 2 })))
      : [];
    try {
      const stores = [store, ...others];
      const wins = await Promise.all(
        Array.from({ length: 8 }, (_, i) => stores[i % stores.length]!.fullSyncs.claim(app, t(0), t(30), t(-60))),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(others.map((s) => s.close()));
    }
  });

  it("goes with its app", async () => {
    const app = await newApp();
    await store.fullSyncs.finish(app, t(0), t(1), null);
    await store.apps.delete(app);
    expect(await store.fullSyncs.get(app)).toBeNull();
  });
});
