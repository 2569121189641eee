import { afterEach, describe, expect, it } from "vitest";
import {
  awsIdentityCenterProfile,
  type DesiredState,
  type DesiredUser,
  reconcile,
  ScimClient,
  ScimOperations,
} from "../../../src/core/scim/index.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { makeGroup, makeUsers, manualTimer, seededRandom } from "./helpers.js";

/**
 * The engine against the sandbox's IAM Identity Center (src/sandbox/identity-center), which
 * implements AWS's SCIM endpoint independently of this engine. Scripted one-off faults stay in
 * aws-limits.test.ts; here the sandbox's own fault and legacy-paging settings drive the run.
 */
const TENANT = "d-5c1a0e0042";
let sandbox: SandboxHandle | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start(settings: Parameters<SandboxHandle["identityCenter"]["admin"]["configure"]>[1] = {}) {
  sandbox = await startSandbox({ port: 0, fixture: "demo" });
  const { admin } = sandbox.identityCenter;
  admin.createInstance({ tenantId: TENANT, region: "us-east-1" });
  const { token } = admin.createToken(TENANT);
  // The engine's clock is manual, so Retry-After costs it nothing while the sandbox's throttles refill in real
  // time: these cases are about paging and faults, so AWS's throttles are off (the budget tests turn them on).
  admin.configure(TENANT, { throttles: { read: null, write: null, membership: null }, ...settings });
  return { baseUrl: sandbox.identityCenter.scimUrl(TENANT), token };
}

function engine(target: { baseUrl: string; token: string }, maxAttempts = 5) {
  const { timer } = manualTimer();
  const client = new ScimClient({
    ...target,
    timer,
    random: seededRandom(11),
    retry: { maxAttempts, baseDelayMs: 50 },
  });
  return { ops: new ScimOperations(client, awsIdentityCenterProfile), client };
}

/** The instance's users and groups in the desired state's terms. */
function snapshot(): DesiredState {
  const instance = sandbox!.state().identityCenter!.instances.find((i) => i.tenantId === TENANT)!;
  const externalOf = new Map(instance.users.map((u) => [u.id, String(u.attributes.externalId ?? u.id)]));
  const users = instance.users.map((u): DesiredUser => {
    const a = u.attributes as Record<string, unknown> & { name?: Record<string, string>; emails?: { value: string }[] };
    return {
      externalId: String(a.externalId ?? ""),
      userName: String(a.userName),
      givenName: a.name?.givenName ?? "",
      familyName: a.name?.familyName ?? "",
      displayName: String(a.displayName ?? ""),
      email: a.emails?.[0]?.value ?? "",
      active: a.active !== false,
    };
  });
  const groups = instance.groups.map((g) => ({
    externalId: g.externalId ?? "",
    displayName: g.displayName,
    memberExternalIds: g.memberIds.map((id) => externalOf.get(id) ?? id).sort(),
  }));
  const byId = (a: { externalId: string }, b: { externalId: string }) => a.externalId.localeCompare(b.externalId);
  return { users: users.sort(byId), groups: groups.sort(byId) };
}

describe("reconcile against the sandbox's IAM Identity Center", () => {
  it("legacy paging (50 results, no cursor) with 120 users already there: no duplicates", async () => {
    const target = await start();
    const existing = makeUsers(120);
    await reconcile(engine(target).ops, { users: existing, groups: [] });
    sandbox!.identityCenter.admin.configure(TENANT, { legacyPaging: true });
    const listing = await engine(target).ops.listUsers();
    expect([listing.items.length, listing.complete]).toEqual([50, false]);

    const desired = { users: [...existing, ...makeUsers(5, 121)], groups: [makeGroup(1, existing.slice(60, 70))] };
    const outcome = await reconcile(engine(target).ops, desired);
    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    expect(outcome.results.filter((r) => r.kind === "createUser").map((r) => r.adopted)).toEqual(Array(5).fill(false));
    expect(snapshot()).toEqual(desired);
  });

  it("with 10% 500s, 10% 429s and 10% of writes lost after they happened, converges exactly", async () => {
    const target = await start({
      seed: 42,
      faults: { status500Rate: 0.1, status429Rate: 0.1, dropAfterWriteRate: 0.1 },
    });
    const users = makeUsers(80);
    const desired: DesiredState = {
      users,
      groups: [makeGroup(1, users.slice(0, 70)), makeGroup(2, users.slice(40)), makeGroup(3, users.slice(0, 1))],
    };
    const { ops, client } = engine(target, 12);
    const first = await reconcile(ops, desired);
    expect(first.results.filter((r) => r.status === "error")).toEqual([]);
    expect(client.stats.retries).toBeGreaterThan(0);
    expect(snapshot()).toEqual(desired);

    const changed = {
      users: users.map((u, i) => (i < 3 ? { ...u, active: false } : u)),
      groups: desired.groups.map((g) => (g.externalId === "grp_0003" ? { ...g, memberExternalIds: [] } : g)),
    };
    const second = await reconcile(engine(target, 12).ops, changed, { knownMemberships: first.memberships });
    expect(second.results.map((r) => [r.kind, r.status])).toEqual([
      ...Array(3).fill(["deactivateUser", "ok"]),
      ["removeMembers", "ok"],
    ]);
    expect(snapshot()).toEqual(changed);
  });

  it("a group of 250 members is created with 100 and filled by PATCHes of at most 100", async () => {
    const target = await start();
    const users = makeUsers(250);
    const desired = { users, groups: [makeGroup(1, users)] };
    const outcome = await reconcile(engine(target).ops, desired);
    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    expect(outcome.results.filter((r) => r.externalId === "grp_0001").map((r) => r.kind)).toEqual([
      "createGroup",
      "addMembers",
      "addMembers",
    ]);
    expect(snapshot()).toEqual(desired);
  });
});
