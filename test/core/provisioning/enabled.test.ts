import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appJson } from "../../../src/core/apps/app-json.js";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor, systemActor } from "../../../src/core/audit.js";
import type { DomainError } from "../../../src/core/errors.js";
import { FullSyncSchedule } from "../../../src/core/provisioning/schedule.js";
import { ProvisioningWorker } from "../../../src/core/provisioning/worker.js";
import type { Runtime } from "../../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { instanceOf } from "./remote.js";

const actor = cliActor();
const TENANT = "d-e0ab1ed017";

/**
 * Issue 16 item 7, Okta's "Enable API integration": a provisioning app is created switched off, and while off
 * nothing reaches the target — not the outbox worker, not the schedule, not "sync now" — while a dry run
 * still shows what would be sent. Enabling it queues a full sync, which the worker then runs.
 */
describe.each(backends)("the provisioning switch on $name", (backend) => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let worker: ProvisioningWorker;
  let schedule: FullSyncSchedule;
  let appId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    sandbox.identityCenter.admin.createInstance({ tenantId: TENANT });
    const { token } = sandbox.identityCenter.admin.createToken(TENANT);
    ({ runtime, cleanup } = await testRuntime(backend));
    worker = new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-1");
    schedule = new FullSyncSchedule(runtime.store, runtime.provisioning, runtime.clock);
    const app = await createAppWithKey(runtime, actor, {
      slug: "sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: { baseUrl: sandbox.identityCenter.scimUrl(TENANT) },
    });
    appId = app.id;
    await runtime.provisioning.setToken(actor, app.id, token);
    for (const login of ["ana@example.com", "ben@example.com"]) {
      await runtime.directory.users.create(actor, {
        profile: { login, email: login, firstName: "A", lastName: "B", displayName: null },
      });
      await runtime.apps.assign(actor, app.id, "user", login, {});
    }
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("is off at creation, and shows so in the app's JSON", async () => {
    const app = await runtime.apps.get("sso");
    expect(app.provisioningEnabled).toBe(false);
    expect(appJson(app)).toMatchObject({ provisioning: { enabled: false } });
    const federation = await createAppWithKey(runtime, actor, {
      slug: "aws-fed",
      type: "aws-account-federation",
      label: "AWS",
    });
    expect(appJson(federation)).not.toHaveProperty("provisioning");
    await expect(runtime.provisioning.enable(actor, "aws-fed")).rejects.toThrow(/does not provision/);
  });

  it("sends nothing while off: the worker and the schedule pass it by, sync refuses, a dry run plans", async () => {
    expect(await runtime.store.outbox.depth()).toBeGreaterThan(0);
    const run = await worker.runOnce(actor);
    expect(run.apps).toEqual([]);
    expect(await schedule.runDue(systemActor)).toEqual([]);
    const refused = (await runtime.provisioning.sync(actor, "sso").catch((e: unknown) => e)) as DomainError;
    expect(refused.code).toBe("conflict");
    expect(refused.message).toContain("provisioning to sso is disabled");
    expect(refused.message).toContain("rolebridge provisioning enable --app sso");
    expect(instanceOf(sandbox, TENANT).users).toEqual([]);
    const dry = await runtime.provisioning.sync(actor, "sso", { dryRun: true });
    expect(dry.changes).toBe(2);
    expect(dry.scope).toEqual({ people: 2, groups: 0 });
    expect(instanceOf(sandbox, TENANT).users).toEqual([]);
  });

  it("once enabled, the queued full sync sends the assigned people; disabling stops it again", async () => {
    const enabled = await runtime.provisioning.enable(actor, "sso");
    expect(enabled.provisioningEnabled).toBe(true);
    const run = await worker.runOnce(actor);
    expect(run.apps).toEqual([{ slug: "sso", changes: 2, failed: 0 }]);
    expect(
      instanceOf(sandbox, TENANT)
        .users.map((u) => u.attributes.userName)
        .sort(),
    ).toEqual(["ana@example.com", "ben@example.com"]);
    const log = await runtime.store.log.list({}, { limit: 50 });
    expect(log.items.map((e) => e.action)).toContain("application.provisioning.enable");

    await runtime.provisioning.disable(actor, "sso");
    await runtime.apps.unassign(actor, appId, "user", "ben@example.com");
    await worker.runOnce(actor);
    const ben = instanceOf(sandbox, TENANT).users.find((u) => u.attributes.userName === "ben@example.com");
    expect(ben?.attributes.active).toBe(true);
    expect((await runtime.provisioning.sync(actor, "sso", { dryRun: true })).changes).toBe(1);
  });
});
