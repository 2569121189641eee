import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor } from "../../../src/core/audit.js";
import { importDirectory } from "../../../src/core/import/index.js";
import { ProvisioningWorker } from "../../../src/core/provisioning/worker.js";
import type { Runtime } from "../../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { type ScimmyServer, startScimmyServer } from "../../helpers/scimmy-server.js";
import { instanceOf } from "./remote.js";

const actor = cliActor();
const TENANT = "d-c4a96e0001";
const PEOPLE = 250;
const login = (i: number) => `p${String(i).padStart(3, "0")}@example.com`;

/**
 * The outbox worker's syncs after a first full one: each sends only what its change needs, trusting the
 * records for the rest, and falls back to reading the target whole when the records turn out wrong.
 */
describe.each(backends)("change-scoped provisioning syncs on $name", (backend) => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let worker: ProvisioningWorker;
  let token: string;
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  const ids = new Map<string, string>();
  const groups: Record<string, string> = {};

  const instance = () => instanceOf(sandbox, TENANT);
  const remoteUser = (i: number) => instance().users.find((u) => u.attributes.externalId === ids.get(login(i)));
  const remoteGroup = (name: string) => instance().groups.find((g) => g.externalId === groups[name]);
  const remoteMembers = (name: string) =>
    new Set(remoteGroup(name)?.memberIds.map((id) => instance().users.find((u) => u.id === id)?.attributes.userName));
  const sent = () => Object.values(runtime.provisioning.totals.requests).reduce((a, b) => a + b, 0);
  /** Drains the outbox and answers how many requests that took. */
  const drain = async () => {
    const before = sent();
    for (let i = 0; i < 5 && (await runtime.store.outbox.depth()) > 0; i++) await worker.runOnce(actor);
    expect(await runtime.store.outbox.depth()).toBe(0);
    return sent() - before;
  };
  const inSync = async () => expect((await runtime.provisioning.sync(actor, "sso", { dryRun: true })).changes).toBe(0);

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    sandbox.identityCenter.admin.createInstance({ tenantId: TENANT });
    sandbox.identityCenter.admin.configure(TENANT, { throttles: { read: null, write: null, membership: null } });
    token = sandbox.identityCenter.admin.createToken(TENANT).token;
    ({ runtime, cleanup } = await testRuntime(backend));
    worker = new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-1", clock);
    for (let i = 0; i < PEOPLE; i++) {
      const profile = { login: login(i), email: login(i), firstName: "P", lastName: `N${i}`, displayName: null };
      ids.set(login(i), (await runtime.directory.users.create(actor, { profile })).id);
    }
    for (const name of ["staff", "eng", "ops"])
      groups[name] = (await runtime.directory.groups.create(actor, { name })).id;
    for (let i = 0; i < 200; i++) await runtime.directory.groups.addMember(actor, groups.staff!, ids.get(login(i))!);
    for (let i = 0; i < 10; i++) await runtime.directory.groups.addMember(actor, groups.eng!, ids.get(login(i))!);
    for (let i = 10; i < 20; i++) await runtime.directory.groups.addMember(actor, groups.ops!, ids.get(login(i))!);
    const app = await createAppWithKey(runtime, actor, {
      slug: "sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      // Unthrottled: this suite counts requests; pacing is the client's and the bench's business.
      settings: {
        baseUrl: sandbox.identityCenter.scimUrl(TENANT),
        pushGroups: [groups.eng!, groups.ops!],
        budgets: { readPerSecond: 1000, writePerSecond: 1000, membershipOpsPerSecond: 100_000 },
      },
    });
    await runtime.provisioning.enable(actor, app.id);
    await runtime.provisioning.setToken(actor, app.id, token);
    await runtime.apps.assign(actor, app.id, "group", groups.staff!, {});
    // No full sync has finished yet: the worker's first run reads the whole target.
    await drain();
    expect(instance().users).toHaveLength(200);
    expect(remoteMembers("eng").size).toBe(10);
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("sends one PATCH for one membership change, where a full sync would first read 3 + 1 list pages", async () => {
    await runtime.directory.groups.addMember(actor, groups.eng!, ids.get(login(50))!);
    expect(await drain()).toBe(1);
    expect(remoteMembers("eng").has(login(50))).toBe(true);
    await runtime.directory.groups.removeMember(actor, groups.ops!, ids.get(login(10))!);
    expect(await drain()).toBe(1);
    expect(remoteMembers("ops").has(login(10))).toBe(false);
    await inSync();
  });

  it("reads a changed person by id and patches only them", async () => {
    await runtime.directory.users.updateProfile(actor, login(1), { lastName: "Renamed" });
    expect(await drain()).toBe(2);
    expect(remoteUser(1)?.attributes.name).toMatchObject({ familyName: "Renamed" });
    await inSync();
  });

  it("creates a newly assigned person (looked up first) and adds them to their pushed group", async () => {
    await runtime.directory.groups.addMember(actor, groups.eng!, ids.get(login(210))!);
    await runtime.directory.groups.addMember(actor, groups.staff!, ids.get(login(210))!);
    // Two look-ups (externalId, userName), the POST, and the PATCH into eng.
    expect(await drain()).toBe(4);
    expect(remoteUser(210)?.attributes.active).toBe(true);
    expect(remoteMembers("eng").has(login(210))).toBe(true);
    await inSync();
  });

  it("deactivates a person who lost their assignment", async () => {
    await runtime.directory.groups.removeMember(actor, groups.staff!, ids.get(login(150))!);
    expect(await drain()).toBe(2);
    expect(remoteUser(150)?.attributes.active).toBe(false);
    await inSync();
  });

  it("takes a CSV import in with one outbox row and a full sync", async () => {
    const csv = (name: string, text: string) => ({ name, input: Readable.from([Buffer.from(text)]) });
    const depth = await runtime.store.outbox.depth();
    const report = await importDirectory(
      runtime.store,
      {
        users: csv("users.csv", "login,email,firstName,lastName\nnew@example.com,new@example.com,New,Person\n"),
        memberships: csv("memberships.csv", "group,user\nstaff,new@example.com\neng,new@example.com\n"),
      },
      { actor },
    );
    expect(report.committed).toBe(true);
    expect(await runtime.store.outbox.depth()).toBe(depth + 1);
    await drain();
    const created = instance().users.find((u) => u.attributes.userName === "new@example.com");
    expect(created?.attributes.active).toBe(true);
    expect(remoteMembers("eng").has("new@example.com")).toBe(true);
    await inSync();
  });

  it("falls back to a full sync when a recorded group was deleted on the target behind its back", async () => {
    const res = await fetch(`${sandbox.identityCenter.scimUrl(TENANT)}/Groups/${remoteGroup("ops")!.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(204);
    await runtime.directory.groups.addMember(actor, groups.ops!, ids.get(login(60))!);
    await drain();
    expect(remoteMembers("ops")).toEqual(new Set([...Array(9).keys()].map((i) => login(i + 11)).concat(login(60))));
    await inSync();
  });

  it("re-sends a membership write a dead sync left in doubt, after the directory took the change back", async () => {
    // As if a sync had written this add and died before recording it.
    const eng = remoteGroup("eng")!;
    const app = await runtime.apps.get("sso");
    await runtime.store.transaction((tx) =>
      tx.provisioned.markInDoubt(app.id, "group", groups.eng!, [ids.get(login(99))!]),
    );
    const extra = remoteUser(99)!.id;
    const res = await fetch(`${sandbox.identityCenter.scimUrl(TENANT)}/Groups/${eng.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" },
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "add", path: "members", value: [{ value: extra }] }],
      }),
    });
    expect(res.status).toBe(204);
    expect(remoteMembers("eng").has(login(99))).toBe(true);
    // The directory never kept p099 in eng; any change to the app's people runs a change sync.
    await runtime.directory.users.updateProfile(actor, login(2), { lastName: "Again" });
    await drain();
    expect(remoteMembers("eng").has(login(99))).toBe(false);
    const record = (await runtime.provisioning.status("sso")).find((o) => o.objectId === groups.eng);
    expect(record?.inDoubt).toBeNull();
    await inSync();
  });

  it("after a sync that could not run (token refused), trusts the recorded members: no per-member checks", async () => {
    await runtime.provisioning.setToken(actor, "sso", "revoked-token-value");
    await runtime.directory.users.updateProfile(actor, login(3), { lastName: "Refused" });
    const refused = await worker.runOnce(actor);
    expect(refused.released).toBeGreaterThan(0);
    const failed = await runtime.provisioning.status("sso");
    expect(failed.filter((o) => o.status === "error").length).toBeGreaterThan(200);
    await runtime.provisioning.setToken(actor, "sso", token);
    clock.offsetMs = 15 * 60_000;
    // Every person is in error, so reading them one by one would cost more than the list pages: a full sync,
    // 3 user pages + 1 group page + 1 PATCH; checking the pushed groups' members one by one would be ~20 more.
    expect(await drain()).toBeLessThanOrEqual(6);
    expect(remoteUser(3)?.attributes.name).toMatchObject({ familyName: "Refused" });
    const after = await runtime.provisioning.status("sso");
    expect(after.filter((o) => o.status === "error")).toEqual([]);
    await inSync();
  });
});

describe("change-scoped syncs to a generic SCIM 2.0 server (scimmy)", () => {
  let scimmy: ScimmyServer;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let worker: ProvisioningWorker;
  const ids: string[] = [];
  let eng = "";

  const members = () => {
    const group = [...scimmy.groups.values()].find((g) => g.displayName === "eng");
    const values = ((group?.members ?? []) as Array<{ value: string }>).map((m) => m.value);
    return values.map((id) => scimmy.users.get(id)?.userName).sort();
  };

  beforeAll(async () => {
    scimmy = await startScimmyServer();
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    worker = new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-g");
    for (let i = 0; i < 150; i++) {
      const profile = { login: `g${i}@example.com`, email: `g${i}@example.com`, firstName: "G", lastName: `${i}` };
      ids.push((await runtime.directory.users.create(actor, { profile: { ...profile, displayName: null } })).id);
    }
    eng = (await runtime.directory.groups.create(actor, { name: "eng" })).id;
    for (const id of ids.slice(0, 5)) await runtime.directory.groups.addMember(actor, eng, id);
    const app = await createAppWithKey(runtime, actor, {
      slug: "generic",
      type: "generic-scim2",
      label: "Generic",
      settings: { baseUrl: scimmy.baseUrl, pushGroups: [eng], rateLimitPerSecond: 1000 },
    });
    await runtime.provisioning.enable(actor, app.id);
    await runtime.provisioning.setToken(actor, app.id, scimmy.token);
    for (const id of ids) await runtime.apps.assign(actor, app.id, "user", id, {});
    for (let i = 0; i < 5 && (await runtime.store.outbox.depth()) > 0; i++) await worker.runOnce(actor);
    expect(scimmy.users.size).toBe(150);
  }, 120_000);
  afterAll(async () => {
    await scimmy?.close();
    await cleanup?.();
  });

  it("sends one PATCH for one membership change, and the server's group then lists exactly the members", async () => {
    const before = scimmy.requests.length;
    await runtime.directory.groups.addMember(actor, eng, ids[100]!);
    await worker.runOnce(actor);
    expect(scimmy.requests.slice(before).map((r) => r.method)).toEqual(["PATCH"]);
    expect(members()).toEqual(["g0", "g1", "g100", "g2", "g3", "g4"].map((n) => `${n}@example.com`).sort());
    expect((await runtime.provisioning.sync(actor, "generic", { dryRun: true })).changes).toBe(0);
  });
});
