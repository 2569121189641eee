import { afterEach, describe, expect, it } from "vitest";
import {
  AWS_DEFAULT_BUDGETS,
  awsIdentityCenterProfile,
  inProcessBudgets,
  reconcile,
  ScimClient,
  ScimOperations,
  systemTimer,
} from "../../../src/core/scim/index.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { makeGroup, makeUsers } from "./helpers.js";

/**
 * The AWS profile against the sandbox as AWS behaves since RFC 9865: cursor paging only when asked for, and
 * throttles per API class and per membership operation.
 */
const TENANT = "d-c0450e0018";
const OFF = { read: null, write: null, membership: null };
/** For putting the users in place before the case itself: the sandbox's throttles are off meanwhile. */
const SETUP = {
  read: { ratePerSecond: 1000, burst: 1000 },
  write: { ratePerSecond: 1000, burst: 1000 },
  membership: { ratePerSecond: 10_000, burst: 1000 },
};
let sandbox: SandboxHandle | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function start() {
  sandbox = await startSandbox({ port: 0, fixture: "demo" });
  const { admin } = sandbox.identityCenter;
  admin.createInstance({ tenantId: TENANT, region: "us-east-1" });
  const { token } = admin.createToken(TENANT);
  admin.configure(TENANT, { throttles: OFF });
  return { baseUrl: sandbox.identityCenter.scimUrl(TENANT), token };
}

/** The client's fetch, recording each URL; `dropCursor` plays a client that never sends `cursor`. */
function recordingFetch(seen: URL[], options: { dropCursor?: boolean } = {}): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input));
    if (options.dropCursor) url.searchParams.delete("cursor");
    seen.push(url);
    return fetch(url, init);
  };
}

function engine(target: { baseUrl: string; token: string }, fetchImpl: typeof fetch, budgets = AWS_DEFAULT_BUDGETS) {
  const client = new ScimClient({ ...target, fetch: fetchImpl, budgets: inProcessBudgets(budgets, systemTimer) });
  return { client, ops: new ScimOperations(client, awsIdentityCenterProfile) };
}

describe("listing 250 users the way AWS pages them", () => {
  it("reads all 250 through cursors, asking for them from the first request on", async () => {
    const target = await start();
    const users = makeUsers(250);
    await reconcile(engine(target, fetch, SETUP).ops, { users, groups: [] });

    const seen: URL[] = [];
    const listing = await engine(target, recordingFetch(seen)).ops.listUsers();
    expect(listing.complete).toBe(true);
    expect(listing.items.map((u) => u.externalId).sort()).toEqual(users.map((u) => u.externalId));
    // The first request carries an empty cursor; the rest follow nextCursor: three pages of at most 100.
    expect(seen.map((u) => u.searchParams.get("cursor") === "")).toEqual([true, false, false]);
    expect(seen.every((u) => u.searchParams.has("cursor"))).toBe(true);
  });

  it("without the cursor AWS answers page one only: the listing is flagged incomplete, nothing is duplicated", async () => {
    const target = await start();
    const users = makeUsers(250);
    await reconcile(engine(target, fetch, SETUP).ops, { users, groups: [] });

    const seen: URL[] = [];
    const blind = engine(target, recordingFetch(seen, { dropCursor: true })).ops;
    const listing = await blind.listUsers();
    expect([listing.items.length, listing.complete]).toEqual([100, false]);

    // A full reconciliation on that listing says so, looks the other 150 up, and creates nobody twice.
    const outcome = await reconcile(blind, { users, groups: [] });
    expect(outcome.plan.complete.users).toBe(false);
    expect(outcome.plan.ops).toEqual([]);
    expect(sandbox!.identityCenter.admin.listInstances().find((i) => i.tenantId === TENANT)?.users).toBe(250);
  });
});

describe("pushing a 1,000-member group against the membership throttle", () => {
  it("finishes exact, retrying the 429s, and the sandbox never lets through more than rate × time + burst", async () => {
    const target = await start();
    const users = makeUsers(1000);
    await reconcile(engine(target, fetch, SETUP).ops, { users, groups: [] });

    const limit = { ratePerSecond: 400, burst: 100 };
    sandbox!.identityCenter.admin.configure(TENANT, { throttles: { ...OFF, membership: limit } });
    // The client is set to spend faster than the sandbox allows, so the sandbox must refuse and the client retry.
    const { ops, client } = engine(target, fetch, { ...SETUP, membership: { ratePerSecond: 2000, burst: 300 } });
    const desired = { users, groups: [makeGroup(1, users)] };
    const outcome = await reconcile(ops, desired, { knownMemberships: {} });
    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    expect(outcome.results.map((r) => r.kind)).toEqual(["createGroup", ...Array(9).fill("addMembers")]);

    const instance = sandbox!.state().identityCenter!.instances.find((i) => i.tenantId === TENANT)!;
    const externalOf = new Map(instance.users.map((u) => [u.id, String(u.attributes.externalId)]));
    expect(instance.groups).toHaveLength(1);
    expect(instance.groups[0]!.memberIds.map((id) => externalOf.get(id)).sort()).toEqual(
      users.map((u) => u.externalId),
    );
    expect(client.stats.throttles).toBeGreaterThan(0);
    expect(client.stats.retries).toBe(client.stats.throttles);

    // From the sandbox's side: 1,000 operations let through, and in no interval more than rate × length + burst.
    const { membership } = sandbox!.identityCenter.admin.trafficReport(TENANT);
    expect([membership.units, membership.throttled]).toEqual([1000, client.stats.throttles]);
    const timeline = membership.timeline;
    for (let i = 0; i < timeline.length; i++) {
      let spent = 0;
      for (let j = i; j < timeline.length; j++) {
        spent += timeline[j]![1];
        const seconds = (timeline[j]![0] - timeline[i]![0]) / 1000;
        expect(spent).toBeLessThanOrEqual(limit.ratePerSecond * seconds + limit.burst);
      }
    }
  }, 60_000);
});
