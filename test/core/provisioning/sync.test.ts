import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor } from "../../../src/core/audit.js";
import type { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();
const tenant = DEMO_IDENTITY_CENTER.tenantId;

describe.each(backends)("provisioning to the sandbox's Identity Center on $name", (backend) => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let engineering: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backend));
    const { users, groups } = runtime.directory;
    const g = await groups.create(actor, { name: "engineering" });
    engineering = g.id;
    for (const [first, last] of [
      ["Alice", "Anderson"],
      ["Bob", "Brown"],
      ["Nolast", null],
    ] as const) {
      const login = `${first.toLowerCase()}@example.com`;
      await users.create(actor, {
        profile: { login, email: login, firstName: first, lastName: last, displayName: null },
      });
      await groups.addMember(actor, g.id, login);
    }
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("refuses a Base URL with a trailing slash, saying why", async () => {
    const err = (await createAppWithKey(runtime, actor, {
      slug: "aws-sso-bad",
      type: "aws-iam-identity-center",
      label: "AWS IAM Identity Center",
      settings: { baseUrl: `${sandbox.identityCenter.scimUrl(tenant)}/` },
    }).catch((e: unknown) => e)) as DomainError;
    expect(err.code).toBe("validation_failed");
    expect(JSON.stringify(err.details)).toContain("remove the trailing slash");
  });

  it("tests the API token, then syncs assigned people and pushed groups, and a second sync has nothing to do", async () => {
    const app = await createAppWithKey(runtime, actor, {
      slug: "aws-sso",
      type: "aws-iam-identity-center",
      label: "AWS IAM Identity Center",
      settings: { baseUrl: sandbox.identityCenter.scimUrl(tenant), pushGroups: [engineering] },
    });
    await runtime.provisioning.enable(actor, app.id);
    expect((await runtime.provisioning.status(app.id)).map((o) => [o.kind, o.objectId, o.status])).toEqual([
      ["group", engineering, "pending"],
    ]);
    await expect(runtime.provisioning.testCredentials(app.id)).rejects.toThrow(/needs a Base URL and an API token/);
    await runtime.provisioning.setToken(actor, app.id, "not-the-token-at-all");
    expect(await runtime.provisioning.testCredentials(app.id)).toMatchObject({ ok: false, status: 401 });
    await runtime.provisioning.setToken(actor, app.id, DEMO_IDENTITY_CENTER.scimToken);
    expect(await runtime.provisioning.testCredentials(app.id)).toEqual({ ok: true });
    expect(JSON.stringify(await runtime.store.log.list({}, { limit: 100 }))).not.toContain(
      DEMO_IDENTITY_CENTER.scimToken,
    );

    await runtime.apps.assign(actor, app.id, "group", engineering, {});
    const dry = await runtime.provisioning.sync(actor, app.id, { dryRun: true });
    expect(dry.results).toEqual([]);
    expect(dry.plan).toContainEqual(expect.stringMatching(/^\+ user usr_\w+ \(alice@example.com\)$/));
    expect(dry.plan).toContainEqual(expect.stringMatching(/^\+ group grp_\w+ \(engineering\) with 2 members$/));
    const first = await runtime.provisioning.sync(actor, app.id);
    const byKind = (kind: string) => first.results.filter((r) => r.kind === kind);
    expect(byKind("createUser").map((r) => r.status)).toEqual(["ok", "ok"]);
    // A person without a surname gets an error of their own; nobody else is held back.
    expect(byKind("rejectUser")).toHaveLength(1);
    expect(byKind("rejectUser")[0]?.status).toBe("error");
    const again = await runtime.provisioning.sync(actor, app.id, { dryRun: true });
    // Only the person without a surname is still refused; everything else matches.
    expect(again.plan.slice(1).map((l) => l.charAt(0))).toEqual(["!"]);

    await runtime.directory.users.updateProfile(actor, "bob@example.com", { lastName: "Braun" });
    const change = await runtime.provisioning.sync(actor, app.id);
    expect(change.results.filter((r) => r.kind === "updateUser").map((r) => r.status)).toEqual(["ok"]);
  });

  it("records each object's status, deactivates people who lose the assignment, and knows AWS's memberships", async () => {
    const status = await runtime.provisioning.status("aws-sso");
    expect(
      status
        .filter((o) => o.kind === "user")
        .map((o) => o.status)
        .sort(),
    ).toEqual(["active", "active", "error"]);
    expect(status.find((o) => o.status === "error")?.lastError).toMatch(/familyName/);
    const group = status.find((o) => o.kind === "group")!;
    expect(status.filter((o) => o.status === "pending")).toEqual([]);
    expect(group).toMatchObject({ status: "active", objectId: engineering });
    expect(group.members).toHaveLength(2);

    // With the memberships known, a sync with nothing to change sends only the two list reads.
    const quiet = await runtime.provisioning.sync(actor, "aws-sso");
    expect(quiet.results.filter((r) => r.kind !== "rejectUser")).toEqual([]);
    expect(quiet.requests).toBeLessThanOrEqual(3);

    await runtime.directory.groups.removeMember(actor, engineering, "alice@example.com");
    const unassigned = await runtime.provisioning.sync(actor, "aws-sso");
    expect(unassigned.results.filter((r) => r.kind === "deactivateUser").map((r) => r.status)).toEqual(["ok"]);
    const alice = (await runtime.directory.users.get("alice@example.com")).id;
    expect((await runtime.provisioning.status("aws-sso")).find((o) => o.objectId === alice)?.status).toBe(
      "deactivated",
    );
    await runtime.directory.groups.addMember(actor, engineering, "alice@example.com");
    const back = await runtime.provisioning.sync(actor, "aws-sso");
    expect(back.results.filter((r) => r.kind === "reactivateUser").map((r) => r.status)).toEqual(["ok"]);
  });

  it("deletes on the target only when asked, and only once the person is unassigned", async () => {
    const bob = (await runtime.directory.users.get("bob@example.com")).id;
    await expect(runtime.provisioning.deleteUser(actor, "aws-sso", bob)).rejects.toThrow(/unassign bob@example.com/);
    await runtime.directory.groups.removeMember(actor, engineering, bob);
    await runtime.provisioning.sync(actor, "aws-sso");
    expect((await runtime.provisioning.status("aws-sso")).find((o) => o.objectId === bob)?.status).toBe("deactivated");
    await runtime.provisioning.deleteUser(actor, "aws-sso", bob);
    expect((await runtime.provisioning.status("aws-sso")).find((o) => o.objectId === bob)).toBeUndefined();
    await expect(runtime.provisioning.deleteUser(actor, "aws-sso", bob)).rejects.toThrow(/not provisioned/);
    // Nothing left to do for bob: deleted, unassigned, and not recreated.
    const dry = await runtime.provisioning.sync(actor, "aws-sso", { dryRun: true });
    expect(dry.plan.join("\n")).not.toContain("bob@example.com");
    await runtime.directory.groups.addMember(actor, engineering, bob);
  });

  it("honours the To App features: with user creation off, nobody new is created", async () => {
    await runtime.directory.users.create(actor, {
      profile: {
        login: "carol@example.com",
        email: "carol@example.com",
        firstName: "Carol",
        lastName: "Chen",
        displayName: null,
      },
    });
    await runtime.directory.groups.addMember(actor, engineering, "carol@example.com");
    await runtime.apps.update(actor, "aws-sso", {
      settings: { features: { createUsers: false, updateUsers: true, deactivateUsers: true } },
    });
    const report = await runtime.provisioning.sync(actor, "aws-sso");
    expect(report.results.filter((r) => r.kind === "createUser")).toEqual([]);
  });
});
