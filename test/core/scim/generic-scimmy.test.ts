import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type DesiredState,
  formatPlan,
  genericScim2Profile,
  PagingDiscovery,
  reconcile,
  ScimClient,
  ScimOperations,
  type TargetProfile,
} from "../../../src/core/scim/index.js";
import { type ScimmyServer, startScimmyServer } from "../../helpers/scimmy-server.js";
import { makeGroup, makeUser, makeUsers, manualTimer, seededRandom } from "./helpers.js";

let server: ScimmyServer;
/** One per server, as the provisioning side keeps one per app: its ServiceProviderConfig is read once. */
let paging: PagingDiscovery;

beforeEach(async () => {
  server = await startScimmyServer();
  paging = new PagingDiscovery();
});
afterEach(async () => {
  await server.close();
});

function engine(profile: TargetProfile = genericScim2Profile) {
  const { timer } = manualTimer();
  const client = new ScimClient({
    baseUrl: server.baseUrl,
    token: server.token,
    timer,
    random: seededRandom(1),
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
  });
  return new ScimOperations(client, profile, { paging });
}

const writes = () => server.requests.filter((r) => r.method !== "GET");

function remoteUserByExternalId(externalId: string) {
  return [...server.users.values()].find((u) => u.externalId === externalId);
}

describe("reconcile against scimmy (generic SCIM 2.0)", () => {
  const users = makeUsers(30);
  const desired: DesiredState = {
    users,
    groups: [makeGroup(1, users.slice(0, 10)), makeGroup(2, users.slice(5, 30))],
  };

  it("fills an empty server, then a second run sends nothing", async () => {
    const first = await reconcile(engine(), desired);
    expect(first.results.filter((r) => r.status === "error")).toEqual([]);
    expect(server.users.size).toBe(30);
    expect(server.groups.size).toBe(2);
    const user = remoteUserByExternalId("usr_0007");
    expect(user).toMatchObject({
      userName: "person0007@example.com",
      name: { givenName: "Given7", familyName: "Family7" },
      displayName: "Given7 Family7",
      active: true,
    });
    const team2 = [...server.groups.values()].find((g) => g.displayName === "team-2")!;
    expect((team2.members as unknown[]).length).toBe(25);

    const before = server.requests.length;
    const second = await reconcile(engine(), desired);
    expect(second.plan.ops).toEqual([]);
    const sent = server.requests.slice(before);
    expect(sent.filter((r) => r.method !== "GET")).toEqual([]);
    // Reading both lists (30 users in one page of 100, 2 groups) is all a converged run costs.
    expect(sent.map((r) => r.method)).toEqual(["GET", "GET"]);
  });

  it("an attribute change sends one PATCH with only that attribute", async () => {
    await reconcile(engine(), desired);
    const changed = users.map((u) => (u.externalId === "usr_0003" ? { ...u, familyName: "Renamed" } : u));
    const before = writes().length;
    const outcome = await reconcile(engine(), { ...desired, users: changed });
    const sent = writes().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe("PATCH");
    expect(sent[0]!.body).toMatchObject({ Operations: [{ op: "replace", path: "name.familyName", value: "Renamed" }] });
    expect(outcome.results).toMatchObject([{ kind: "updateUser", externalId: "usr_0003", status: "ok" }]);
    expect(remoteUserByExternalId("usr_0003")!.name).toMatchObject({ familyName: "Renamed" });
  });

  it("a deactivation sends PATCH active=false and keeps the user", async () => {
    await reconcile(engine(), desired);
    const suspended = users.map((u) => (u.externalId === "usr_0012" ? { ...u, active: false } : u));
    const before = writes().length;
    const outcome = await reconcile(engine(), { ...desired, users: suspended });
    const sent = writes().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ Operations: [{ op: "replace", path: "active", value: false }] });
    expect(outcome.results).toMatchObject([{ kind: "deactivateUser", externalId: "usr_0012", status: "ok" }]);
    expect(remoteUserByExternalId("usr_0012")!.active).toBe(false);
    expect(server.users.size).toBe(30);

    const back = await reconcile(engine(), desired);
    expect(back.results).toMatchObject([{ kind: "reactivateUser", externalId: "usr_0012", status: "ok" }]);
    expect(remoteUserByExternalId("usr_0012")!.active).toBe(true);
  });

  it("membership changes beyond 100 go out in PATCHes of at most 100 operations", async () => {
    const many = makeUsers(230);
    const group = makeGroup(9, many.slice(0, 20));
    await reconcile(engine(), { users: many, groups: [group] });
    const grown = { ...group, memberExternalIds: many.slice(0, 230).map((u) => u.externalId) };
    const before = writes().length;
    const outcome = await reconcile(engine(), { users: many, groups: [grown] });
    const patches = writes().slice(before);
    expect(patches.map((r) => (r.body as { Operations: unknown[] }).Operations.length)).toEqual([100, 100, 10]);
    expect(patches.every((r) => r.method === "PATCH" && r.path.startsWith("/scim/v2/Groups/"))).toBe(true);
    expect(outcome.results.every((r) => r.kind === "addMembers" && r.status === "ok")).toBe(true);
    const stored = [...server.groups.values()][0]!;
    expect((stored.members as unknown[]).length).toBe(230);

    const shrunk = { ...group, memberExternalIds: many.slice(0, 5).map((u) => u.externalId) };
    const beforeShrink = writes().length;
    await reconcile(engine(), { users: many, groups: [shrunk] });
    const removals = writes().slice(beforeShrink);
    expect(removals.map((r) => (r.body as { Operations: unknown[] }).Operations.length)).toEqual([100, 100, 25]);
    expect(([...server.groups.values()][0]!.members as unknown[]).length).toBe(5);
  });

  it("a profile that prefers PUT replaces the whole user in one request", async () => {
    await reconcile(engine(), desired);
    const changed = users.map((u) => (u.externalId === "usr_0004" ? { ...u, email: "new4@example.com" } : u));
    const before = writes().length;
    await reconcile(engine({ ...genericScim2Profile, userUpdate: "put" }), { ...desired, users: changed });
    const sent = writes().slice(before);
    expect(sent.map((r) => r.method)).toEqual(["PUT"]);
    expect(sent[0]!.body).toMatchObject({
      userName: "person0004@example.com",
      emails: [{ value: "new4@example.com" }],
    });
    expect(remoteUserByExternalId("usr_0004")!.emails).toMatchObject([{ value: "new4@example.com", primary: true }]);
  });

  it("a renamed group is one PATCH of displayName, matched by externalId", async () => {
    await reconcile(engine(), desired);
    const renamed = {
      ...desired,
      groups: desired.groups.map((g, i) => (i === 0 ? { ...g, displayName: "platform" } : g)),
    };
    const before = writes().length;
    const outcome = await reconcile(engine(), renamed);
    expect(outcome.results).toMatchObject([{ kind: "updateGroup", externalId: "grp_0001", status: "ok" }]);
    expect(
      writes()
        .slice(before)
        .map((r) => r.body),
    ).toMatchObject([{ Operations: [{ op: "replace", path: "displayName", value: "platform" }] }]);
    expect(server.groups.size).toBe(2);
  });

  it("plans are deterministic: the same state gives the same plan", async () => {
    const shuffled = { users: [...users].reverse(), groups: [...desired.groups].reverse() };
    const a = await reconcile(engine(), desired, { dryRun: true });
    const b = await reconcile(engine(), shuffled, { dryRun: true });
    expect(b.plan).toEqual(a.plan);
  });

  it("dry run returns the plan and sends no writes", async () => {
    const outcome = await reconcile(engine(), desired, { dryRun: true });
    expect(outcome.dryRun).toBe(true);
    expect(outcome.results).toEqual([]);
    expect(outcome.plan.ops.filter((op) => op.kind === "createUser")).toHaveLength(30);
    expect(outcome.plan.ops.filter((op) => op.kind === "createGroup")).toHaveLength(2);
    expect(writes()).toEqual([]);
    expect(server.users.size).toBe(0);
    const text = formatPlan(outcome.plan);
    expect(text[0]).toBe("generic-scim2: 32 changes");
    expect(text).toContain("+ user usr_0001 (person0001@example.com)");
    expect(text).toContain("+ group grp_0002 (team-2) with 25 members");
  });

  it("deletes only what the admin names, and adopts users that already exist by userName", async () => {
    await reconcile(engine(), desired);
    const extra = makeUser(99);
    const ops = engine();
    // Someone created the person on the target already: the engine takes it over instead of failing.
    const first = await ops.createUser(extra);
    expect(first.adopted).toBe(false);
    const again = await ops.createUser({ ...extra, displayName: "Changed Name" });
    expect(again).toMatchObject({ adopted: true, remote: { id: first.remote.id } });
    expect(remoteUserByExternalId("usr_0099")!.displayName).toBe("Changed Name");

    const outcome = await reconcile(engine(), desired, { deleteUserExternalIds: ["usr_0099"] });
    expect(outcome.results).toMatchObject([{ kind: "deleteUser", externalId: "usr_0099", status: "ok" }]);
    expect(remoteUserByExternalId("usr_0099")).toBeUndefined();
    expect(server.users.size).toBe(30);
  });
});

describe("a server that ignores startIndex (scimmy-routers as shipped)", () => {
  it("never creates a duplicate: unseen users are looked up before any create", async () => {
    await server.close();
    server = await startScimmyServer({ numericPaging: false });
    paging = new PagingDiscovery();
    const users = makeUsers(45);
    await reconcile(engine(), { users, groups: [] });
    expect(server.users.size).toBe(45);
    const before = writes().length;
    const again = await reconcile(engine(), { users, groups: [] });
    expect(writes().slice(before)).toEqual([]);
    expect(again.plan.ops).toEqual([]);
    expect(server.users.size).toBe(45);
  });
});
