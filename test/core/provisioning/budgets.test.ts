import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { validateScimAppSettings } from "../../../src/core/apps/scim-app-settings.js";
import { cliActor } from "../../../src/core/audit.js";
import { systemClock } from "../../../src/core/ids.js";
import { ProvisioningService } from "../../../src/core/provisioning/service.js";
import {
  type AppLimits,
  appLimits,
  type BudgetFactory,
  inProcessBudgetFactory,
  ScimTargets,
} from "../../../src/core/provisioning/targets.js";
import { awsIdentityCenterProfile, genericScim2Profile } from "../../../src/core/scim/index.js";
import type { Runtime } from "../../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();
const TENANT = "d-b0d9e70018";

describe("per-app budgets in the provisioning settings", () => {
  it("default to AWS's figures for AWS apps, one rate for generic ones; set values override", () => {
    expect(appLimits(awsIdentityCenterProfile, validateScimAppSettings({}))).toEqual({
      perClass: {
        read: { ratePerSecond: 40, burst: 40 },
        write: { ratePerSecond: 25, burst: 25 },
        membership: { ratePerSecond: 100, burst: 100 },
      },
    });
    const set = validateScimAppSettings({ budgets: { writePerSecond: 12.5, membershipOpsPerSecond: 20 } });
    expect(appLimits(awsIdentityCenterProfile, set)).toMatchObject({
      // The membership burst never drops below AWS's largest request (100 members).
      perClass: { write: { ratePerSecond: 12.5, burst: 13 }, membership: { ratePerSecond: 20, burst: 100 } },
    });
    expect(appLimits(genericScim2Profile, validateScimAppSettings({ rateLimitPerSecond: 5 }))).toEqual({
      single: { ratePerSecond: 5, burst: 5 },
    });
  });

  it("refuse values out of range, naming the field", () => {
    const refused = (budgets: unknown) => {
      try {
        validateScimAppSettings({ budgets });
      } catch (e) {
        return JSON.stringify((e as { details?: unknown }).details);
      }
      return "accepted";
    };
    expect(refused({ writePerSecond: 0 })).toContain("/settings/budgets/writePerSecond");
    expect(refused({ readPerSecond: -3 })).toContain("/settings/budgets/readPerSecond");
    expect(refused({ membershipOpsPerSecond: "fast" })).toContain("/settings/budgets/membershipOpsPerSecond");
    expect(refused({ everything: 1 })).toContain("/settings/budgets");
    expect(refused({ readPerSecond: 80 })).toBe("accepted");
    expect(() => validateScimAppSettings({ budgets: { readPerSecond: 80 } }, "generic-scim2")).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ errors: [expect.objectContaining({ path: "/settings/budgets" })] }),
      }),
    );
  });
});

describe("budgets and listings through the provisioning service", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let appId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    const { admin } = sandbox.identityCenter;
    admin.createInstance({ tenantId: TENANT });
    const { token } = admin.createToken(TENANT);
    admin.configure(TENANT, { throttles: { read: null, write: null, membership: null } });
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    const staff = await runtime.directory.groups.create(actor, { name: "staff" });
    for (let i = 0; i < 130; i++) {
      const login = `p${String(i).padStart(3, "0")}@example.com`;
      const profile = { login, email: login, firstName: "P", lastName: `L${i}`, displayName: null };
      await runtime.directory.users.create(actor, { profile });
      await runtime.directory.groups.addMember(actor, staff.id, login);
    }
    const app = await createAppWithKey(runtime, actor, {
      slug: "sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: {
        baseUrl: sandbox.identityCenter.scimUrl(TENANT),
        budgets: { readPerSecond: 1000, writePerSecond: 1000, membershipOpsPerSecond: 10_000 },
      },
    });
    await runtime.provisioning.enable(actor, app.id);
    appId = app.id;
    await runtime.provisioning.setToken(actor, app.id, token);
    await runtime.apps.assign(actor, app.id, "group", staff.id, {});
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("a full sync says whether each listing was proven complete: not when the cursor never reaches AWS", async () => {
    const first = await runtime.provisioning.sync(actor, "sso");
    expect(first.results.filter((r) => r.status !== "ok")).toEqual([]);
    expect(first.listings).toEqual({ users: "complete", groups: "complete" });

    const dropCursor: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      url.searchParams.delete("cursor");
      return fetch(url, init);
    };
    const blind = new ProvisioningService(runtime.store, runtime.apps, runtime.secrets, systemClock, dropCursor);
    const report = await blind.sync(actor, "sso");
    expect(report.listings).toEqual({ users: "incomplete", groups: "complete" });
    // The 30 it could not see were looked up, not created again.
    expect([report.changes, report.results]).toEqual([0, []]);
    expect(sandbox.identityCenter.admin.listInstances().find((i) => i.tenantId === TENANT)?.users).toBe(130);
    const logged = await runtime.store.log.list({ action: "application.provisioning.sync" }, { limit: 100 });
    const flagged = logged.items.map((e) => e.summary.incompleteListings ?? "none");
    expect(flagged).toHaveLength(2);
    expect(flagged).toEqual(expect.arrayContaining([["users"], "none"]));
  }, 60_000);

  it("makes each app's budgets once through the factory, shared by all its connections, anew when they change", async () => {
    const made: AppLimits[] = [];
    const factory: BudgetFactory = (id, limits) => {
      made.push(limits);
      return inProcessBudgetFactory(id, limits);
    };
    const targets = new ScimTargets(runtime.store, runtime.secrets, fetch, factory);
    const app = await runtime.apps.get(appId);
    await targets.connect(app);
    await targets.connect(app);
    expect(made).toHaveLength(1);
    await runtime.apps.update(actor, appId, { settings: { budgets: { writePerSecond: 5 } } });
    await targets.connect(await runtime.apps.get(appId));
    expect(made).toHaveLength(2);
    expect(made[1]).toMatchObject({ perClass: { write: { ratePerSecond: 5 }, read: { ratePerSecond: 40 } } });
  });
});
