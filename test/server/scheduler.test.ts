import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../src/core/audit.js";
import { seedAwsDemo } from "../../src/demo/aws.js";
import { seedIdentityCenterDemo } from "../../src/demo/identity-center.js";
import { seedDemo } from "../../src/demo/seed.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { startScheduler } from "../../src/server/scheduler.js";
import { deleteRemoteUser, remoteUserId } from "../core/provisioning/remote.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

describe("the server's scheduler", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    await seedDemo(runtime, cliActor());
    await seedAwsDemo(runtime, sandbox, cliActor());
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("refreshes a legacy API-mode app once its interval has passed, and only then", async () => {
    const before = (await runtime.legacyApi.roleLists("aws-legacy")).lastRefresh!;
    // The demo refreshes hourly; pretend the last run started long ago by moving the clock on.
    const realNow = runtime.clock.now;
    runtime.clock.now = () => new Date(Date.now() + 2 * 3600_000);
    const scheduler = startScheduler(runtime, { refreshEveryMs: 20, provisioningEveryMs: 60_000 });
    try {
      await expect
        .poll(
          async () => {
            const run = (await runtime.legacyApi.roleLists("aws-legacy")).lastRefresh;
            return run?.startedAt !== before.startedAt && run?.status !== "running";
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      const after = (await runtime.legacyApi.roleLists("aws-legacy")).lastRefresh!;
      expect(after.status).toBe("ok");
      await new Promise((r) => setTimeout(r, 200));
      expect((await runtime.legacyApi.roleLists("aws-legacy")).lastRefresh?.startedAt).toBe(after.startedAt);
    } finally {
      await scheduler.stop();
      runtime.clock.now = realNow;
    }
  });

  it("drains the provisioning outbox into Identity Center", async () => {
    await seedIdentityCenterDemo(runtime, sandbox, cliActor());
    await runtime.directory.users.updateProfile(cliActor(), "carol@example.com", { displayName: "Carol C." });
    expect(await runtime.store.outbox.depth()).toBeGreaterThan(0);
    const scheduler = startScheduler(runtime, { refreshEveryMs: 60_000, provisioningEveryMs: 20 });
    try {
      // Generous: under a loaded CI machine a sync may be slowed by retries; the outcome, not the time, is tested.
      await expect.poll(() => runtime.store.outbox.depth(), { timeout: 60_000, interval: 100 }).toBe(0);
      expect((await runtime.provisioning.sync(cliActor(), "aws-sso-demo", { dryRun: true })).changes).toBe(0);
    } finally {
      await scheduler.stop();
    }
  });

  it("repairs drift on the Identity Center side on schedule, without any directory change", async () => {
    await deleteRemoteUser(sandbox, "carol@example.com");
    expect(await runtime.store.outbox.depth()).toBe(0);
    // The demo's sync counts as the last full sync; an hour-long interval has passed two hours on.
    const realNow = runtime.clock.now;
    runtime.clock.now = () => new Date(Date.now() + 2 * 3600_000);
    const scheduler = startScheduler(runtime, {
      refreshEveryMs: 60_000,
      provisioningEveryMs: 60_000,
      fullSyncEveryMs: 20,
    });
    try {
      const scheduled = async () =>
        (await runtime.store.log.list({ action: "application.provisioning.sync" }, { limit: 100 })).items.filter(
          (e) => e.summary.trigger === "schedule",
        );
      await expect.poll(async () => (await scheduled()).length, { timeout: 30_000, interval: 50 }).toBe(1);
      expect(await remoteUserId(sandbox, "carol@example.com")).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
      expect(await scheduled()).toHaveLength(1);
    } finally {
      await scheduler.stop();
      runtime.clock.now = realNow;
    }
  });
});
