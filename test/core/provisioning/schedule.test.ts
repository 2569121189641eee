import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { validateScimAppSettings } from "../../../src/core/apps/scim-app-settings.js";
import { cliActor, systemActor } from "../../../src/core/audit.js";
import type { DomainError } from "../../../src/core/errors.js";
import { FullSyncSchedule } from "../../../src/core/provisioning/schedule.js";
import { openRuntime, type Runtime } from "../../../src/runtime.js";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { deleteRemoteUser, remoteUserId } from "./remote.js";

const actor = cliActor();
const HOUR = 3600_000;

describe("the full-sync interval setting", () => {
  it("defaults to hourly for settings stored before it existed, and is 0 (off) or 5 minutes to a week", () => {
    expect(validateScimAppSettings({ baseUrl: "https://scim.example.com/scim/v2" }).fullSyncIntervalMinutes).toBe(60);
    expect(validateScimAppSettings({ fullSyncIntervalMinutes: 0 }).fullSyncIntervalMinutes).toBe(0);
    expect(validateScimAppSettings({ fullSyncIntervalMinutes: 10080 }).fullSyncIntervalMinutes).toBe(10080);
    for (const bad of [3, 10081, 1.5, -1, "60"]) {
      const err = (() => {
        try {
          validateScimAppSettings({ fullSyncIntervalMinutes: bad });
        } catch (e) {
          return e as DomainError;
        }
      })();
      expect(err?.code, String(bad)).toBe("validation_failed");
      expect(JSON.stringify(err?.details)).toContain("/settings/fullSyncIntervalMinutes");
    }
  });
});

describe.each(backends)("scheduled full reconciliation on $name", (backend) => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let schedule: FullSyncSchedule;
  let appId: string;
  // runtime.clock is what every service reads; the tests move it on instead of waiting.
  let offsetMs = 0;
  let realNow: () => Date;

  const scheduledRuns = async () =>
    (
      await runtime.store.log.list({ action: "application.provisioning.sync", targetId: appId }, { limit: 200 })
    ).items.filter((e) => e.summary.trigger === "schedule");

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backend));
    realNow = runtime.clock.now;
    runtime.clock.now = () => new Date(Date.now() + offsetMs);
    schedule = new FullSyncSchedule(runtime.store, runtime.provisioning, runtime.clock);
    for (const name of ["dana", "eli"]) {
      const login = `${name}@example.com`;
      await runtime.directory.users.create(actor, {
        profile: { login, email: login, firstName: name, lastName: "Sched", displayName: null },
      });
    }
    const app = await createAppWithKey(runtime, actor, {
      slug: "aws-sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: { baseUrl: sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId) },
    });
    await runtime.provisioning.enable(actor, app.id);
    appId = app.id;
    expect(await schedule.runDue(systemActor)).toEqual([]); // no API token yet: not set up, never due
    await runtime.provisioning.setToken(actor, app.id, DEMO_IDENTITY_CENTER.scimToken);
    for (const login of ["dana@example.com", "eli@example.com"])
      await runtime.apps.assign(actor, app.id, "user", login, {});
    await runtime.provisioning.sync(actor, app.id);
  });
  afterAll(async () => {
    if (realNow) runtime.clock.now = realNow;
    await sandbox?.close();
    await cleanup?.();
  });

  it("repairs a person deleted on the target once the interval has passed, and not before", async () => {
    await deleteRemoteUser(sandbox, "dana@example.com");
    // The sync just now counts: nothing is due for the next hour.
    offsetMs = 59 * 60_000;
    expect(await schedule.runDue(systemActor)).toEqual([]);
    expect(await remoteUserId(sandbox, "dana@example.com")).toBeNull();

    offsetMs = HOUR + 60_000;
    const runs = await schedule.runDue(systemActor);
    expect(runs).toEqual([{ app: "aws-sso", changes: 1, failed: 0, requests: expect.any(Number) }]);
    expect(await remoteUserId(sandbox, "dana@example.com")).not.toBeNull();
    const [entry] = await scheduledRuns();
    expect(entry).toMatchObject({ outcome: "SUCCESS", summary: { trigger: "schedule", changes: 1, failed: 0 } });
    // Once per interval.
    expect(await schedule.runDue(systemActor)).toEqual([]);
  });

  it("does nothing while the interval is 0 or the app is inactive", async () => {
    await runtime.apps.update(actor, appId, { settings: { fullSyncIntervalMinutes: 0 } });
    offsetMs += 30 * 24 * HOUR;
    expect(await schedule.runDue(systemActor)).toEqual([]);
    await runtime.apps.update(actor, appId, { settings: { fullSyncIntervalMinutes: 5 } });
    await runtime.apps.setStatus(actor, appId, "INACTIVE");
    expect(await schedule.runDue(systemActor)).toEqual([]);
    await runtime.apps.setStatus(actor, appId, "ACTIVE");
    expect(await schedule.runDue(systemActor)).toMatchObject([{ app: "aws-sso", changes: 0, failed: 0 }]);
    offsetMs += 4 * 60_000;
    expect(await schedule.runDue(systemActor)).toEqual([]);
  });

  it("leaves a failing run's error on the status and in the System Log, without throwing", async () => {
    await runtime.provisioning.setToken(actor, appId, "revoked-token-value");
    offsetMs += 10 * 60_000;
    const [run] = await schedule.runDue(systemActor);
    expect(run?.app).toBe("aws-sso");
    expect(run?.error).toMatch(/401|token|unauthori[sz]ed/i);
    const status = await runtime.provisioning.status(appId);
    expect(status.filter((o) => o.kind === "user").map((o) => o.status)).toEqual(["error", "error"]);
    expect(status[0]?.lastError).toBe(run?.error);
    expect((await runtime.store.fullSyncs.get(appId))?.error).toBe(run?.error);
    expect((await scheduledRuns())[0]).toMatchObject({ outcome: "FAILURE", summary: { trigger: "schedule" } });
    // It waits for the next interval, then recovers once the token is fixed.
    expect(await schedule.runDue(systemActor)).toEqual([]);
    await runtime.provisioning.setToken(actor, appId, DEMO_IDENTITY_CENTER.scimToken);
    offsetMs += 10 * 60_000;
    expect(await schedule.runDue(systemActor)).toMatchObject([{ app: "aws-sso", failed: 0 }]);
    expect((await runtime.provisioning.status(appId)).every((o) => o.status === "active")).toBe(true);
  });

  it("runs on one node only when two share the database", async () => {
    const other = await openRuntime(runtime.config, { clock: runtime.clock });
    try {
      const otherSchedule = new FullSyncSchedule(other.store, other.provisioning, other.clock);
      await deleteRemoteUser(sandbox, "eli@example.com");
      const before = (await scheduledRuns()).length;
      offsetMs += 10 * 60_000;
      const [a, b] = await Promise.all([schedule.runDue(systemActor), otherSchedule.runDue(systemActor)]);
      expect([...a, ...b]).toMatchObject([{ app: "aws-sso", changes: 1, failed: 0 }]);
      expect((await scheduledRuns()).length).toBe(before + 1);
      expect(await remoteUserId(sandbox, "eli@example.com")).not.toBeNull();
      // And the next interval may fall to either node, still once.
      offsetMs += 10 * 60_000;
      const next = await Promise.all([otherSchedule.runDue(systemActor), schedule.runDue(systemActor)]);
      expect(next.flat()).toMatchObject([{ app: "aws-sso", changes: 0 }]);
    } finally {
      await other.close();
    }
  });
});
