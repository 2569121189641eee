import { afterEach, describe, expect, it } from "vitest";
import {
  applyPlan,
  awsIdentityCenterProfile,
  type DesiredState,
  type DesiredUser,
  reconcile,
  ScimClient,
  ScimOperations,
} from "../../../src/core/scim/index.js";
import { type AwsFake, startAwsFake } from "./aws-fake.js";
import { makeGroup, makeUser, makeUsers, manualTimer, seededRandom } from "./helpers.js";

// Scripted faults (exactly this POST lost, exactly this Retry-After) need the in-test fake (aws-fake.ts);
// aws-sandbox.test.ts runs the same engine against the sandbox's Identity Center.
let fake: AwsFake;
afterEach(async () => {
  await fake?.close();
});

function engine(maxAttempts = 5) {
  const time = manualTimer();
  const client = new ScimClient({
    baseUrl: fake.baseUrl,
    token: fake.token,
    timer: time.timer,
    random: seededRandom(7),
    retry: { maxAttempts, baseDelayMs: 100, maxDelayMs: 5000 },
  });
  return { ops: new ScimOperations(client, awsIdentityCenterProfile), client, time };
}

const writes = () => fake.requests.filter((r) => r.method !== "GET");
const byUserName = (userName: string) => [...fake.users.values()].filter((u) => u.userName === userName);

/** What the fake holds, in the desired state's terms, for an exact comparison. */
function snapshot() {
  const externalOf = new Map([...fake.users.values()].map((u) => [u.id, u.externalId]));
  return {
    users: [...fake.users.values()]
      .map(
        (u): DesiredUser => ({
          externalId: u.externalId ?? "",
          userName: u.userName,
          givenName: u.name.givenName ?? "",
          familyName: u.name.familyName ?? "",
          displayName: u.displayName ?? "",
          email: u.emails?.[0]?.value ?? "",
          active: u.active,
        }),
      )
      .sort((a, b) => a.externalId.localeCompare(b.externalId)),
    groups: [...fake.groups.values()]
      .map((g) => ({
        externalId: g.externalId ?? "",
        displayName: g.displayName,
        memberExternalIds: [...g.members].map((id) => externalOf.get(id) ?? id).sort(),
      }))
      .sort((a, b) => a.externalId.localeCompare(b.externalId)),
  };
}

function seedUsers(users: DesiredUser[]) {
  for (const u of users) {
    const id = `seeded-${u.externalId}`;
    fake.users.set(id, {
      id,
      externalId: u.externalId,
      userName: u.userName,
      name: { givenName: u.givenName, familyName: u.familyName },
      displayName: u.displayName,
      emails: [{ value: u.email, type: "work", primary: true }],
      active: u.active,
    });
  }
}

describe("reconcile against AWS Identity Center's limits", () => {
  it("converges, then a run with the returned memberships sends no writes and no probes", async () => {
    fake = await startAwsFake();
    const users = makeUsers(40);
    const desired: DesiredState = { users, groups: [makeGroup(1, users.slice(0, 30)), makeGroup(2, users.slice(20))] };
    const first = await reconcile(engine().ops, desired);
    expect(first.results.filter((r) => r.status === "error")).toEqual([]);
    expect(snapshot()).toEqual(desired);

    const before = fake.requests.length;
    const second = await reconcile(engine().ops, desired, { knownMemberships: first.memberships });
    expect(second.plan.ops).toEqual([]);
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /Users", "GET /Groups"]);

    // Without remembered memberships each desired pair is probed: reads only, still no writes.
    const third = await reconcile(engine().ops, desired);
    expect(third.plan.ops).toEqual([]);
    expect(writes()).toHaveLength(first.results.length);
  });

  it("legacy 50-result cap with 120 users already there: zero duplicate creates", async () => {
    fake = await startAwsFake({ legacyCap: true });
    const existing = makeUsers(120);
    seedUsers(existing);
    // Beyond the cap: one display-name change, and one person whose login changed (found by externalId).
    const renamed = existing.map((u) =>
      u.externalId === "usr_0100"
        ? { ...u, displayName: "Renamed Person" }
        : u.externalId === "usr_0110"
          ? { ...u, userName: "new-login@example.com" }
          : u,
    );
    const desired = { users: [...renamed, ...makeUsers(5, 121)], groups: [] };
    const outcome = await reconcile(engine().ops, desired);

    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    expect(fake.users.size).toBe(125);
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(5);
    expect(writes().filter((r) => r.method === "PATCH")).toHaveLength(2);
    expect(snapshot().users).toEqual(desired.users);
  });

  it("a create whose response is lost is retried, answered 409, and the existing user adopted", async () => {
    fake = await startAwsFake();
    let dropped = 0;
    fake.fault = (r) => (r.method === "POST" && dropped++ === 0 ? "drop" : undefined);
    const user = makeUser(1);
    const outcome = await reconcile(engine().ops, { users: [user], groups: [] });
    expect(outcome.results).toMatchObject([{ kind: "createUser", status: "ok", adopted: true }]);
    expect(byUserName(user.userName)).toHaveLength(1);
    expect(outcome.results[0]!.remoteId).toBe(byUserName(user.userName)[0]!.id);
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("a group create whose response is lost is adopted with all its members", async () => {
    fake = await startAwsFake();
    const users = makeUsers(3);
    let dropped = 0;
    fake.fault = (r) => (r.method === "POST" && r.path === "/Groups" && dropped++ === 0 ? "drop" : undefined);
    const desired = { users, groups: [makeGroup(1, users)] };
    const outcome = await reconcile(engine().ops, desired);
    expect(outcome.results.at(-1)).toMatchObject({ kind: "createGroup", status: "ok", adopted: true });
    expect(fake.groups.size).toBe(1);
    expect(snapshot()).toEqual(desired);
  });

  it("a 429 with Retry-After pauses for at least that long before trying again", async () => {
    fake = await startAwsFake();
    let throttled = 0;
    fake.fault = (r) => (r.method === "GET" && throttled++ === 0 ? { status: 429, retryAfter: "7" } : undefined);
    const { ops, client, time } = engine();
    await reconcile(ops, { users: [makeUser(1)], groups: [] });
    expect(client.stats.throttles).toBe(1);
    expect(client.stats.retries).toBe(1);
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(7000);
    expect(fake.users.size).toBe(1);
  });

  it("with 20% of requests failing (500s, 429s) and some responses lost, converges exactly", async () => {
    fake = await startAwsFake();
    const chaos = seededRandom(2026);
    fake.fault = () => {
      const roll = chaos();
      if (roll < 0.1) return { status: 500 };
      if (roll < 0.2) return { status: 429, retryAfter: "1" };
      return roll < 0.25 ? "drop" : undefined;
    };
    const users = makeUsers(60);
    const desired: DesiredState = {
      users: users.map((u, i) => (i % 10 === 0 ? { ...u, active: false } : u)),
      groups: [makeGroup(1, users.slice(0, 45)), makeGroup(2, users.slice(30)), makeGroup(3, [])],
    };
    seedUsers(users.slice(0, 10).map((u) => ({ ...u, familyName: "Stale" })));
    const { ops, client } = engine(12);
    const outcome = await reconcile(ops, desired);
    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    expect(client.stats.retries).toBeGreaterThan(10);
    expect(client.stats.exhausted).toBe(0);
    // Some creates lost their response and were adopted on the retry's 409.
    expect(outcome.results.filter((r) => r.adopted).length).toBeGreaterThan(0);
    // Never-provisioned inactive people are not created; seeded ones are deactivated in place.
    const expectedUsers = desired.users.filter((u) => u.active || Number(u.externalId.slice(4)) <= 10);
    expect(snapshot()).toEqual({ users: expectedUsers, groups: expectedGroups(desired, expectedUsers) });

    fake.fault = null;
    const before = writes().length;
    const again = await reconcile(engine().ops, desired, { knownMemberships: outcome.memberships });
    expect(again.plan.ops).toMatchObject([]);
    expect(writes().length).toBe(before);
  });

  it("exhausted retries end as a visible error on that object; the others still go through", async () => {
    fake = await startAwsFake();
    const unlucky = makeUser(2);
    fake.fault = (r) => (r.method === "POST" && r.body?.userName === unlucky.userName ? { status: 500 } : undefined);
    const { ops, client } = engine(3);
    const outcome = await reconcile(ops, { users: makeUsers(3), groups: [makeGroup(1, makeUsers(3))] });
    const failed = outcome.results.filter((r) => r.status === "error");
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({
      kind: "createUser",
      externalId: "usr_0002",
      error: { httpStatus: 500, retryable: true },
    });
    expect(failed[0]!.error!.message).toContain("after 3 attempts");
    expect(failed[1]).toMatchObject({ kind: "createGroup", externalId: "grp_0001", error: { code: "not_found" } });
    expect(failed[1]!.error!.message).toContain("usr_0002");
    expect(client.stats.exhausted).toBe(1);
    expect(snapshot().groups[0]!.memberExternalIds).toEqual(["usr_0001", "usr_0003"]);
  });

  it("a user without a surname is one error on that user, and no request names them", async () => {
    fake = await startAwsFake();
    const noSurname = makeUser(5, { familyName: "" });
    const outcome = await reconcile(engine().ops, { users: [makeUser(4), noSurname], groups: [] });
    expect(outcome.results).toMatchObject([
      { kind: "createUser", externalId: "usr_0004", status: "ok" },
      { kind: "rejectUser", externalId: "usr_0005", status: "error", error: { code: "validation_failed" } },
    ]);
    expect(outcome.results[1]!.error!.message).toContain("/name/familyName");
    expect(JSON.stringify(fake.requests.map((r) => [r.query.get("filter"), r.body]))).not.toContain(noSurname.userName);
  });

  it("a group of 250 members: a create with 100, then PATCHes of 100 and 50", async () => {
    fake = await startAwsFake();
    const users = makeUsers(250);
    const desired = { users, groups: [makeGroup(1, users)] };
    const outcome = await reconcile(engine().ops, desired);
    expect(outcome.results.filter((r) => r.status === "error")).toEqual([]);
    const groupWrites = writes().filter((r) => r.path.startsWith("/Groups"));
    expect(
      groupWrites.map((r) => [r.method, ((r.body?.members ?? r.body?.Operations ?? []) as unknown[]).length]),
    ).toEqual([
      ["POST", 100],
      ["PATCH", 100],
      ["PATCH", 50],
    ]);
    expect(snapshot()).toEqual(desired);
  });

  it("unassigning deactivates with PATCH active=false, and returning reactivates", async () => {
    fake = await startAwsFake();
    const users = makeUsers(2);
    await reconcile(engine().ops, { users, groups: [] });
    const before = writes().length;
    await reconcile(engine().ops, { users: [users[0]!, { ...users[1]!, active: false }], groups: [] });
    expect(
      writes()
        .slice(before)
        .map((r) => r.body),
    ).toMatchObject([{ Operations: [{ op: "replace", path: "active", value: false }] }]);
    expect(byUserName(users[1]!.userName)[0]!.active).toBe(false);
    await reconcile(engine().ops, { users, groups: [] });
    expect(byUserName(users[1]!.userName)[0]!.active).toBe(true);
    expect(fake.users.size).toBe(2);
  });
});

function expectedGroups(desired: DesiredState, provisioned: DesiredUser[]) {
  const present = new Set(provisioned.map((u) => u.externalId));
  return desired.groups.map((g) => ({ ...g, memberExternalIds: g.memberExternalIds.filter((id) => present.has(id)) }));
}

describe("what AWS cannot show us", () => {
  it("removes members it knows it added, from the memberships fed back by the last run", async () => {
    fake = await startAwsFake();
    const users = makeUsers(4);
    const first = await reconcile(engine().ops, { users, groups: [makeGroup(1, users)] });
    const shrunk = { users, groups: [makeGroup(1, users.slice(0, 1))] };
    const dry = await reconcile(engine().ops, shrunk, { knownMemberships: first.memberships, dryRun: true });
    expect(dry.plan.ops.map((op) => op.kind)).toEqual(["removeMembers"]);
    const applied = await reconcile(engine().ops, shrunk, { knownMemberships: first.memberships });
    expect(applied.memberships).toEqual({ grp_0001: ["usr_0001"] });
    expect(snapshot().groups[0]!.memberExternalIds).toEqual(["usr_0001"]);
  });

  it("a refused token stops the run after one request, with an error on every object", async () => {
    fake = await startAwsFake();
    const { ops } = engine();
    const plan = await reconcile(ops, { users: makeUsers(3), groups: [] }, { dryRun: true });
    fake.fault = () => ({ status: 401 });
    const before = fake.requests.length;
    const outcome = await applyPlan(ops, plan.plan);
    expect(outcome.results.map((r) => [r.status, r.error?.code])).toEqual([
      ["error", "remote_failed"],
      ["error", "remote_failed"],
      ["error", "remote_failed"],
    ]);
    expect(fake.requests.length - before).toBe(1);
  });
});
