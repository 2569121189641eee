import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../src/core/audit.js";
import { DEMO_LEGACY_APP, seedAwsDemo } from "../../src/demo/aws.js";
import { DEMO_SSO_APP, seedIdentityCenterDemo } from "../../src/demo/identity-center.js";
import { seedDemo } from "../../src/demo/seed.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { startScheduler } from "../../src/server/scheduler.js";
import { backends } from "../helpers/backends.js";
import { offsetClock } from "../helpers/runtime.js";
import { twoNodes } from "../helpers/two-nodes.js";

/** Both demo apps' intervals are an hour; each step moves the nodes' shared clock past one. */
const STEP_MS = 61 * 60_000;
const fast = { refreshEveryMs: 20, fullSyncEveryMs: 20, provisioningEveryMs: 60_000, sourcesEveryMs: 60_000 };

describe.each(backends)("scheduled jobs of two nodes on $name", (backend) => {
  let sandbox: SandboxHandle;
  let nodes: [Runtime, Runtime];
  let cleanup: () => Promise<void>;
  // One clock for both nodes, so "an interval has passed" is the same moment on each.
  const clock = offsetClock();

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ nodes, cleanup } = await twoNodes(backend, {}, [clock, clock]));
    await seedDemo(nodes[0], cliActor());
    await seedAwsDemo(nodes[0], sandbox, cliActor());
    await seedIdentityCenterDemo(nodes[0], sandbox, cliActor());
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  /** Runs so far: legacy API-mode refreshes, and provisioning reconciliations the schedule started. */
  async function runs() {
    const log = (action: string) => nodes[1].store.log.list({ action }, { limit: 500 });
    const refreshes = (await log("application.aws.refresh")).items.length;
    const syncs = (await log("application.provisioning.sync")).items.filter((e) => e.summary.trigger === "schedule");
    return { refreshes, syncs: syncs.length };
  }

  it("run each job once per interval, whichever node gets there first", async () => {
    const schedulers = nodes.map((node) => startScheduler(node, fast));
    try {
      const before = await runs();
      for (let step = 1; step <= 3; step++) {
        clock.offsetMs += STEP_MS;
        const expected = { refreshes: before.refreshes + step, syncs: before.syncs + step };
        await expect.poll(runs, { timeout: 30_000, interval: 50 }).toEqual(expected);
        // Both nodes keep checking every 20 ms; nothing more runs until the next interval.
        await new Promise((r) => setTimeout(r, 300));
        expect(await runs()).toEqual(expected);
      }
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
    }
  }, 120_000);

  it("end a reconciliation under way when its node stops, leaving no lease; the other node runs the next", async () => {
    const sso = (await nodes[0].store.apps.getBySlug(DEMO_SSO_APP))!;
    const legacy = (await nodes[0].store.apps.getBySlug(DEMO_LEGACY_APP))!;
    // One read every two seconds: the reconciliation lasts long enough to be stopped while it runs.
    await nodes[0].apps.update(cliActor(), sso.id, { settings: { budgets: { readPerSecond: 0.5 } } });
    const first = startScheduler(nodes[0], fast);
    clock.offsetMs += STEP_MS;
    const running = async () => {
      const run = await nodes[1].store.fullSyncs.get(sso.id);
      return run !== null && run.finishedAt === null && run.leaseUntil > clock.now().toISOString();
    };
    try {
      await expect.poll(running, { timeout: 30_000, interval: 5 }).toBe(true);
    } finally {
      await first.stop();
    }
    const now = clock.now().toISOString();
    const sync = (await nodes[1].store.fullSyncs.get(sso.id))!;
    // It did not run to its end: it stopped sending, and says so.
    expect(sync.error).toMatch(/shutting down|shut down/);
    expect(sync.finishedAt).not.toBeNull();
    expect(sync.leaseUntil <= now).toBe(true);
    expect((await nodes[1].store.roleCatalog.lastRefresh(legacy.id))!.leaseUntil <= now).toBe(true);

    await nodes[0].apps.update(cliActor(), sso.id, { settings: { budgets: {} } });
    const before = await runs();
    const second = startScheduler(nodes[1], fast);
    try {
      clock.offsetMs += STEP_MS;
      await expect
        .poll(runs, { timeout: 30_000, interval: 50 })
        .toEqual({ refreshes: before.refreshes + 1, syncs: before.syncs + 1 });
    } finally {
      await second.stop();
    }
  }, 120_000);

  it("hand a stopping node's outbox work to the other node, which brings Identity Center in line", async () => {
    const sso = (await nodes[0].store.apps.getBySlug(DEMO_SSO_APP))!;
    // One write every two seconds, so the stop lands between the PATCHes of the changes below.
    await nodes[0].apps.update(cliActor(), sso.id, { settings: { budgets: { writePerSecond: 0.5 } } });
    const renamed = ["alice", "bob", "carol", "dave"].map((n) => `${n}@example.com`);
    for (const login of renamed) {
      await nodes[0].directory.users.updateProfile(cliActor(), login, { displayName: `${login} (renamed)` });
    }
    const queued = await nodes[0].store.outbox.depth();
    expect(queued).toBeGreaterThan(0);
    const inDoubt = async () =>
      (await nodes[1].store.provisioned.listForApp(sso.id, "user")).some((o) => o.inDoubt !== null);
    const first = startScheduler(nodes[0], { ...fast, provisioningEveryMs: 20, fullSyncEveryMs: 60_000 });
    try {
      // A write is under way: the worker claimed the rows and its sync is applying them.
      await expect.poll(inDoubt, { timeout: 30_000, interval: 5 }).toBe(true);
    } finally {
      await first.stop();
    }
    // The rows went back rather than being dropped as done.
    expect(await nodes[1].store.outbox.depth()).toBe(queued);

    // Due at once, without a back-off: a probe claims them all at the same moment, then puts them back.
    const now = clock.now().toISOString();
    const lease = new Date(Date.parse(now) + 60_000).toISOString();
    const due = await nodes[1].store.outbox.claim("probe", now, lease, 100);
    expect(due).toHaveLength(queued);
    for (const row of due) await nodes[1].store.outbox.release("probe", row.id, "probe", now);
    await nodes[1].apps.update(cliActor(), sso.id, { settings: { budgets: {} } });
    const second = startScheduler(nodes[1], { ...fast, provisioningEveryMs: 20, fullSyncEveryMs: 60_000 });
    try {
      await expect.poll(() => nodes[1].store.outbox.depth(), { timeout: 60_000, interval: 50 }).toBe(0);
    } finally {
      await second.stop();
    }
    expect((await nodes[1].provisioning.sync(cliActor(), sso.id, { dryRun: true })).changes).toBe(0);
    expect(await inDoubt()).toBe(false);
  }, 120_000);
});
