import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor } from "../../../src/core/audit.js";
import { ProvisioningWorker } from "../../../src/core/provisioning/worker.js";
import type { Runtime } from "../../../src/runtime.js";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();

describe.each(backends)("the provisioning worker on $name", (backend) => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  let worker: ProvisioningWorker;

  beforeAll(async () => {
    clock.offsetMs = 0;
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backend));
    worker = new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-1", clock);
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("writes nothing to the outbox while no app provisions", async () => {
    await runtime.directory.users.create(actor, {
      profile: {
        login: "zoe@example.com",
        email: "zoe@example.com",
        firstName: "Zoe",
        lastName: "Zhang",
        displayName: null,
      },
    });
    expect(await runtime.store.outbox.depth()).toBe(0);
  });

  it("turns directory changes into syncs, one per app per batch, and empties the outbox", async () => {
    const app = await createAppWithKey(runtime, actor, {
      slug: "aws-sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: { baseUrl: sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId) },
    });
    await runtime.provisioning.enable(actor, app.id);
    await runtime.provisioning.setToken(actor, app.id, DEMO_IDENTITY_CENTER.scimToken);
    await runtime.apps.assign(actor, app.id, "user", "zoe@example.com", {});
    await runtime.directory.users.updateProfile(actor, "zoe@example.com", { displayName: "Zoe Z." });
    expect(await runtime.store.outbox.depth()).toBeGreaterThanOrEqual(2);
    const run = await worker.runOnce(actor);
    expect(run.apps).toEqual([{ slug: "aws-sso", changes: 1, failed: 0 }]);
    expect(run.completed).toBe(run.claimed);
    expect(await runtime.store.outbox.depth()).toBe(0);
    expect((await runtime.provisioning.sync(actor, app.id, { dryRun: true })).changes).toBe(0);
  });

  it("keeps the work while the token is refused, with the error visible, and completes once it is fixed", async () => {
    await runtime.provisioning.setToken(actor, "aws-sso", "revoked-token-value");
    await runtime.directory.users.updateProfile(actor, "zoe@example.com", { lastName: "Zhou" });
    const refused = await worker.runOnce(actor);
    expect(refused).toMatchObject({ completed: 0, released: 1 });
    expect(await runtime.store.outbox.depth()).toBe(1);
    const zoe = (await runtime.directory.users.get("zoe@example.com")).id;
    expect((await runtime.provisioning.status("aws-sso")).find((o) => o.objectId === zoe)?.status).toBe("error");
    // Not due again before its back-off ends.
    expect((await worker.runOnce(actor)).claimed).toBe(0);
    await runtime.provisioning.setToken(actor, "aws-sso", DEMO_IDENTITY_CENTER.scimToken);
    clock.offsetMs = 15 * 60_000;
    const fixed = await worker.runOnce(actor);
    expect(fixed).toMatchObject({ completed: 1, released: 0 });
    expect(await runtime.store.outbox.depth()).toBe(0);
    expect((await runtime.provisioning.status("aws-sso")).find((o) => o.objectId === zoe)?.status).toBe("active");
  });
});
