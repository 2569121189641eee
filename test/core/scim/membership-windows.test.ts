import { afterEach, describe, expect, it } from "vitest";
import {
  awsIdentityCenterProfile,
  type BudgetLimits,
  type DesiredState,
  inProcessBudgets,
  reconcile,
  ScimClient,
  ScimOperations,
  systemTimer,
} from "../../../src/core/scim/index.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { makeGroup, makeUser, makeUsers } from "./helpers.js";

/**
 * New groups' members sent by time window (membership-windows.ts): with the app's budgets known, members go as
 * soon as their people exist instead of in the planned batches. Against the sandbox, throttled like AWS but
 * faster so a case takes seconds: membership operations are the binding budget, as at AWS's defaults.
 */
const TENANT = "d-c0450e0021";
const LIMITS: BudgetLimits = {
  read: { ratePerSecond: 400, burst: 40 },
  write: { ratePerSecond: 100, burst: 10 },
  membership: { ratePerSecond: 400, burst: 100 },
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
  admin.configure(TENANT, { throttles: LIMITS });
  return { baseUrl: sandbox.identityCenter.scimUrl(TENANT), token };
}

interface Sent {
  method: string;
  path: string;
  at: number;
  body: Record<string, unknown> | null;
  status?: number;
}

/** Records each request; `fail` answers a request with a SCIM 400 instead of sending it. */
function recordingFetch(sent: Sent[], fail: (s: Sent) => boolean = () => false): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : null;
    const entry: Sent = {
      method: init?.method ?? "GET",
      path: url.pathname.split("/scim/v2")[1] ?? "",
      at: Date.now(),
      body,
    };
    sent.push(entry);
    if (fail(entry))
      return new Response(JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400" }), {
        status: 400,
        headers: { "content-type": "application/scim+json" },
      });
    const response = await fetch(url, init);
    entry.status = response.status;
    return response;
  };
}

function engine(target: { baseUrl: string; token: string }, fetchImpl: typeof fetch) {
  const client = new ScimClient({ ...target, fetch: fetchImpl, budgets: inProcessBudgets(LIMITS, systemTimer) });
  return new ScimOperations(client, awsIdentityCenterProfile, { limits: LIMITS });
}

/** Members carried by a group create or PATCH. */
const carried = (s: Sent) =>
  s.method === "POST"
    ? ((s.body?.members as unknown[]) ?? []).length
    : ((s.body?.Operations as unknown[]) ?? []).length;

function groupsOnTarget(): Record<string, string[]> {
  const instance = sandbox!.state().identityCenter!.instances.find((i) => i.tenantId === TENANT)!;
  const externalOf = new Map(instance.users.map((u) => [u.id, String(u.attributes.externalId)]));
  return Object.fromEntries(
    instance.groups.map((g) => [String(g.externalId), g.memberIds.map((id) => externalOf.get(id)!).sort()]),
  );
}

/**
 * AWS's shape at a small size: 400 people in 5 groups each (20 groups of 100), and a 250-member group that
 * needs PATCHes. The membership operations (2,250 at 400/s) take longer than the writes (421 at 100/s).
 */
function desiredState(): DesiredState {
  const users = makeUsers(400);
  const groups = Array.from({ length: 20 }, (_, k) =>
    makeGroup(
      k + 1,
      users.filter((_, i) => (i + k) % 4 === 0),
    ),
  );
  groups.push(makeGroup(21, users.slice(0, 250)));
  return { users, groups };
}

describe("new groups' members by time window", () => {
  it("ends exact, each member sent once in batches of at most 100, groups filled while their people are created", async () => {
    const target = await start();
    const desired = desiredState();
    const sent: Sent[] = [];
    const outcome = await reconcile(engine(target, recordingFetch(sent)), desired);

    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    // One result per planned operation, in plan order.
    expect(outcome.results.map((r) => [r.kind, r.externalId])).toEqual(
      outcome.plan.ops.map((o) => [o.kind, o.externalId]),
    );
    const wanted = Object.fromEntries(desired.groups.map((g) => [g.externalId, [...g.memberExternalIds].sort()]));
    expect(groupsOnTarget()).toEqual(wanted);
    expect(outcome.memberships).toEqual(wanted);

    // Requests the target took (a 429 is sent again).
    const memberWrites = sent.filter((s) => s.path.startsWith("/Groups") && s.method !== "GET" && s.status! < 300);
    const total = desired.groups.reduce((n, g) => n + g.memberExternalIds.length, 0);
    expect(memberWrites.reduce((n, s) => n + carried(s), 0)).toBe(total);
    expect(Math.max(...memberWrites.map(carried))).toBeLessThanOrEqual(100);
    // The sandbox counted every member once: none was sent twice.
    const traffic = sandbox!.identityCenter.admin.trafficReport(TENANT);
    expect(traffic.membership.units).toBe(total);

    // Membership operations are the binding budget, so some 100-member groups were created with the members
    // ready then and filled by PATCH later, rather than waiting for their last member (the planned batches).
    const creates = memberWrites.filter((s) => s.method === "POST");
    expect(creates).toHaveLength(21);
    const partial = creates.filter((s) => carried(s) < 100 && s.body?.displayName !== "team-21");
    expect(partial.length).toBeGreaterThan(0);

    // Neither budget let through more than rate × time + burst in any interval (the worst interval is reported).
    for (const name of ["write", "membership"] as const) {
      const timeline = traffic[name].timeline;
      let worst = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < timeline.length; i++) {
        let spent = 0;
        for (let j = i; j < timeline.length; j++) {
          spent += timeline[j]![1];
          const allowed =
            (LIMITS[name].ratePerSecond * (timeline[j]![0] - timeline[i]![0])) / 1000 + LIMITS[name].burst;
          worst = Math.max(worst, spent - allowed);
        }
      }
      expect(worst, name).toBeLessThanOrEqual(0);
    }
  }, 60_000);

  it("a person whose create fails is reported on the operation that named them; a failed group create fails its adds", async () => {
    const target = await start();
    const users = makeUsers(260);
    const broken = makeUser(7);
    const desired: DesiredState = {
      users,
      groups: [makeGroup(1, users.slice(0, 40)), makeGroup(2, users.slice(20, 250)), makeGroup(3, users.slice(0, 10))],
    };
    const sent: Sent[] = [];
    const fail = (s: Sent) =>
      (s.method === "POST" && s.path === "/Users" && s.body?.userName === broken.userName) ||
      (s.method === "POST" && s.path === "/Groups" && s.body?.displayName === "team-2");
    const outcome = await reconcile(engine(target, recordingFetch(sent, fail)), desired);

    const errors = outcome.results
      .filter((r) => r.status === "error")
      .map((r) => [r.kind, r.externalId, r.error?.code]);
    expect(errors).toEqual([
      ["createUser", broken.externalId, "remote_failed"],
      ["createGroup", "grp_0001", "not_found"],
      ["createGroup", "grp_0002", "remote_failed"],
      ["addMembers", "grp_0002", "not_found"],
      ["addMembers", "grp_0002", "not_found"],
      ["createGroup", "grp_0003", "not_found"],
    ]);
    expect(outcome.results.find((r) => r.externalId === "grp_0001")?.error?.details).toEqual({
      memberExternalIds: [broken.externalId],
    });
    const others = (group: number) =>
      desired.groups[group - 1]!.memberExternalIds.filter((id) => id !== broken.externalId).sort();
    expect(groupsOnTarget()).toEqual({ grp_0001: others(1), grp_0003: others(3) });
    expect(outcome.memberships.grp_0001).toEqual(others(1));
  }, 60_000);
});
