import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { backends } from "../helpers/backends.js";

const t = (minute: number) => `2026-03-01T00:${String(minute).padStart(2, "0")}:00.000Z`;

describe.each(backends)("provisioning outbox on $name", (backend) => {
  let store: Store;
  let databaseUrl: string | undefined;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    ({ store, databaseUrl, cleanup } = opened);
  });
  afterAll(async () => cleanup?.());

  const enqueue = (n: number, at = t(0)) =>
    store.transaction(async (tx) => {
      for (let i = 0; i < n; i++) await tx.outbox.enqueue({ id: newId("evt"), kind: "user", objectId: `usr_${i}`, at });
    });

  it("keeps nothing of a change that rolled back", async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.outbox.enqueue({ id: newId("evt"), kind: "user", objectId: "usr_x", at: t(0) });
        throw new Error("the directory change failed");
      }),
    ).rejects.toThrow();
    expect(await store.outbox.depth()).toBe(0);
  });

  it("claims due rows once per lease, gives them back when the lease ends, completes only for the owner", async () => {
    await enqueue(3);
    const a = await store.outbox.claim("worker-a", t(1), t(6), 2);
    expect(a.map((i) => i.objectId)).toEqual(["usr_0", "usr_1"]);
    expect(a[0]?.attempts).toBe(1);
    const b = await store.outbox.claim("worker-b", t(2), t(7), 10);
    expect(b.map((i) => i.objectId)).toEqual(["usr_2"]);
    expect(
      await store.outbox.complete(
        "worker-b",
        a.map((i) => i.id),
      ),
    ).toBe(0);
    // worker-a crashed: after its lease the rows are due again for anyone.
    const again = await store.outbox.claim("worker-c", t(8), t(12), 10);
    expect(again.map((i) => [i.objectId, i.attempts])).toEqual([
      ["usr_0", 2],
      ["usr_1", 2],
      ["usr_2", 2],
    ]);
    await store.outbox.release("worker-c", again[0]!.id, "429 Too Many Requests", t(20));
    expect(await store.outbox.complete("worker-c", [again[1]!.id, again[2]!.id])).toBe(2);
    expect(await store.outbox.claim("worker-d", t(13), t(14), 10)).toEqual([]);
    const retried = await store.outbox.claim("worker-d", t(21), t(25), 10);
    expect(retried.map((i) => [i.objectId, i.lastError])).toEqual([["usr_0", "429 Too Many Requests"]]);
    await store.outbox.complete("worker-d", [retried[0]!.id]);
    expect(await store.outbox.depth()).toBe(0);
  });

  it("never hands the same row to two workers claiming at the same time", async () => {
    await enqueue(200, t(30));
    // On PostgreSQL each worker has its own connection pool, as separate processes would.
    const others = databaseUrl
      ? await Promise.all([1, 2, 3].map(() => openPostgresStore(databaseUrl!, { poolSize: 2 })))
      : [];
    const workers = [store, ...others];
    try {
      const claimed: string[] = [];
      let round = 0;
      while (claimed.length < 200 && round++ < 50) {
        const batches = await Promise.all(workers.map((w, i) => w.outbox.claim(`w${i}`, t(31), t(59), 7)));
        for (const batch of batches) claimed.push(...batch.map((x) => x.id));
      }
      expect(claimed).toHaveLength(200);
      expect(new Set(claimed).size).toBe(200);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });

  /** An Identity Center app and the status row of one pushed group, active with one member. */
  const groupRecord = async (slug: string) => {
    const app = await store.apps.insert({
      id: newId("app"),
      slug,
      type: "aws-iam-identity-center",
      label: "SSO",
      status: "ACTIVE",
      settings: {},
      at: t(0),
    });
    const row = {
      appId: app.id,
      kind: "group" as const,
      objectId: "grp_1",
      remoteId: "r-1",
      status: "active" as const,
      lastError: null,
      members: ["usr_1"],
      inDoubt: null,
      syncedAt: t(1),
    };
    return { app, row };
  };

  it("keeps one status row per provisioned object, replaced by each sync", async () => {
    const { app, row } = await groupRecord("sso");
    await store.provisioned.upsert(row);
    await store.provisioned.upsert({ ...row, status: "error", lastError: "429", members: null, syncedAt: t(2) });
    await store.provisioned.upsert({ ...row, kind: "user", objectId: "usr_1", members: null });
    expect(await store.provisioned.listForApp(app.id, "group")).toEqual([
      { ...row, status: "error", lastError: "429", members: null, syncedAt: t(2) },
    ]);
    expect((await store.provisioned.listForApp(app.id)).map((o) => o.kind)).toEqual(["group", "user"]);
  });

  it("marks a recorded object in doubt, merging marks, and never creates a record for it", async () => {
    const { app, row } = await groupRecord("sso-doubt");
    await store.provisioned.upsert(row);
    await store.transaction((tx) => tx.provisioned.markInDoubt(app.id, "group", "grp_1", ["usr_3", "usr_2"]));
    await store.transaction((tx) => tx.provisioned.markInDoubt(app.id, "group", "grp_1", ["usr_2", "usr_4"]));
    await store.provisioned.markInDoubt(app.id, "user", "usr_9", []);
    expect(await store.provisioned.listForApp(app.id)).toEqual([{ ...row, inDoubt: ["usr_2", "usr_3", "usr_4"] }]);
    await store.provisioned.upsert(row);
    expect((await store.provisioned.listForApp(app.id))[0]?.inDoubt).toBeNull();
  });
});
