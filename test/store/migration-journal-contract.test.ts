import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

describe.each(backends)("migration journal contract on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterEach(() => cleanup());

  const run = (id: string, created: string) => ({
    id,
    fromAppId: "app_1",
    fromSlug: "aws-legacy",
    toSlug: "aws-groups",
    state: "applying" as const,
    plan: JSON.stringify({ any: ["json", 1] }),
    created,
  });

  it("keeps runs per (app, target), newest first, and their state", async () => {
    expect(await store.migrationJournal.latestRun("app_1", "aws-groups")).toBeNull();
    await store.migrationJournal.createRun(run("mig_1", "2026-12-01T00:00:00.000Z"));
    await store.migrationJournal.createRun(run("mig_2", "2026-12-01T00:00:01.000Z"));
    await store.migrationJournal.createRun({ ...run("mig_3", "2026-12-01T00:00:02.000Z"), toSlug: "other" });
    const latest = await store.migrationJournal.latestRun("app_1", "aws-groups");
    expect(latest).toMatchObject({ id: "mig_2", state: "applying", plan: '{"any":["json",1]}' });
    await store.migrationJournal.setRunState("mig_2", "applied", "2026-12-01T00:01:00.000Z");
    expect(await store.migrationJournal.latestRun("app_1", "aws-groups")).toMatchObject({
      state: "applied",
      lastUpdated: "2026-12-01T00:01:00.000Z",
    });
  });

  it("records steps once per key in plan order, undone and redone, and rolls back with the transaction", async () => {
    await store.migrationJournal.createRun(run("mig_1", "2026-12-01T00:00:00.000Z"));
    const done = (key: string, seq: number, result: Record<string, unknown>) =>
      store.migrationJournal.recordDone({
        runId: "mig_1",
        key,
        seq,
        kind: "k",
        result,
        at: "2026-12-01T00:00:05.000Z",
      });
    await done("b", 1, { groupId: "grp_b" });
    await done("a", 0, { nested: { ok: true } });
    await done("b", 1, { groupId: "grp_b2" });
    await expect(
      store.transaction(async (tx) => {
        await tx.migrationJournal.recordDone({ runId: "mig_1", key: "c", seq: 2, kind: "k", result: {}, at: "x" });
        throw new Error("the step's change failed");
      }),
    ).rejects.toThrow("the step's change failed");
    await store.migrationJournal.recordUndone("mig_1", "a", "2026-12-01T00:00:09.000Z");
    const steps = await store.migrationJournal.steps("mig_1");
    expect(steps.map((s) => [s.key, s.seq, s.status, s.result, s.undoneAt])).toEqual([
      ["a", 0, "undone", { nested: { ok: true } }, "2026-12-01T00:00:09.000Z"],
      ["b", 1, "done", { groupId: "grp_b2" }, null],
    ]);
  });
});
