import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor } from "../../../src/core/audit.js";
import { ProvisioningWorker } from "../../../src/core/provisioning/worker.js";
import type { Runtime } from "../../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { instanceOf } from "./remote.js";

const actor = cliActor();
const TENANT = "d-fa017e0020";
const login = (i: number) => `f${String(i).padStart(2, "0")}@example.com`;

/**
 * The fault test through the whole path (directory → outbox → worker → SCIM → records): 20 % of
 * requests answered 500, 20 % answered 429, and 20 % of writes applied but their response lost. After the
 * initial sync and a run of changes, Identity Center must hold exactly the directory's state. The storage
 * backend plays no part in this, so SQLite alone runs it (each injected 429 costs the client a second).
 */
describe("provisioning under 20 % injected 500s, 429s and lost responses", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  let worker: ProvisioningWorker;
  const ids = new Map<string, string>();
  const groups: Record<string, string> = {};

  const instance = () => instanceOf(sandbox, TENANT);
  /** Runs the worker until the outbox is empty, moving the clock past each back-off. */
  const converge = async () => {
    for (let round = 0; round < 30 && (await runtime.store.outbox.depth()) > 0; round++) {
      await worker.runOnce(actor);
      clock.offsetMs += 15 * 60_000;
    }
    expect(await runtime.store.outbox.depth()).toBe(0);
  };
  /** The remote side, as the directory says it must be: assigned people (active or not) and pushed groups. */
  const expectExact = async (assigned: number[], inactive: number[], members: Record<string, number[]>) => {
    const users = instance().users;
    expect(users.map((u) => String(u.attributes.userName)).sort()).toEqual(assigned.map(login).sort());
    for (const i of assigned) {
      const remote = users.find((u) => u.attributes.userName === login(i));
      expect([login(i), remote?.attributes.active]).toEqual([login(i), !inactive.includes(i)]);
    }
    const byId = new Map(users.map((u) => [u.id, String(u.attributes.userName)]));
    expect(
      instance()
        .groups.map((g) => g.displayName)
        .sort(),
    ).toEqual(Object.keys(members).sort());
    for (const [name, expected] of Object.entries(members)) {
      const group = instance().groups.find((g) => g.displayName === name);
      expect([name, group?.memberIds.map((id) => byId.get(id)).sort()]).toEqual([name, expected.map(login).sort()]);
    }
    expect((await runtime.provisioning.sync(actor, "sso", { dryRun: true })).changes).toBe(0);
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    const { admin } = sandbox.identityCenter;
    admin.createInstance({ tenantId: TENANT });
    const { token } = admin.createToken(TENANT);
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    worker = new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-1", clock);
    for (let i = 0; i < 24; i++) {
      const profile = { login: login(i), email: login(i), firstName: "F", lastName: `L${i}`, displayName: null };
      ids.set(login(i), (await runtime.directory.users.create(actor, { profile })).id);
    }
    for (const name of ["staff", "eng", "ops"])
      groups[name] = (await runtime.directory.groups.create(actor, { name })).id;
    const add = (group: string, from: number, to: number) =>
      Promise.all(
        [...Array(to - from).keys()].map((k) =>
          runtime.directory.groups.addMember(actor, groups[group]!, ids.get(login(from + k))!),
        ),
      );
    await add("staff", 0, 20);
    await add("eng", 0, 12);
    await add("ops", 8, 20);
    const app = await createAppWithKey(runtime, actor, {
      slug: "sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: { baseUrl: sandbox.identityCenter.scimUrl(TENANT), pushGroups: [groups.eng!, groups.ops!] },
    });
    await runtime.provisioning.enable(actor, app.id);
    await runtime.provisioning.setToken(actor, app.id, token);
    await runtime.apps.assign(actor, app.id, "group", groups.staff!, {});
    admin.configure(TENANT, { seed: 7, faults: { status500Rate: 0.2, status429Rate: 0.2, dropAfterWriteRate: 0.2 } });
  }, 60_000);
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("converges to the exact state on the initial sync", async () => {
    await converge();
    const range = (from: number, to: number) => [...Array(to - from).keys()].map((k) => from + k);
    await expectExact(range(0, 20), [], { eng: range(0, 12), ops: range(8, 20) });
  }, 120_000);

  it("and after membership changes, a rename, an unassignment and a new person", async () => {
    const { groups: dir, users } = runtime.directory;
    await dir.addMember(actor, groups.eng!, ids.get(login(15))!);
    await dir.removeMember(actor, groups.ops!, ids.get(login(9))!);
    await users.updateProfile(actor, login(3), { lastName: "Renamed" });
    await dir.removeMember(actor, groups.staff!, ids.get(login(19))!);
    await dir.addMember(actor, groups.staff!, ids.get(login(21))!);
    await dir.addMember(actor, groups.ops!, ids.get(login(21))!);
    await converge();
    const range = (from: number, to: number) => [...Array(to - from).keys()].map((k) => from + k);
    await expectExact([...range(0, 20), 21], [19], {
      eng: [...range(0, 12), 15],
      ops: [...range(8, 20).filter((i) => i !== 9), 21],
    });
    expect(instance().users.find((u) => u.attributes.userName === login(3))?.attributes.name).toMatchObject({
      familyName: "Renamed",
    });
    // Faults really were injected on this path: the client retried.
    expect(runtime.provisioning.totals.retries).toBeGreaterThan(5);
  }, 120_000);
});
