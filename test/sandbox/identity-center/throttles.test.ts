import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { createUsers, group, patch, type Scim, sandboxWithInstance, UNTHROTTLED, user } from "./helpers.js";

const TENANT = "d-7777777777";
let sandbox: SandboxHandle;
let scim: Scim;
let ids: string[];

beforeAll(async () => {
  ({ sandbox, scim } = await sandboxWithInstance(TENANT));
  ids = await createUsers(scim, "member", 150);
});
afterAll(() => sandbox.close());

const configure = (settings: Parameters<SandboxHandle["identityCenter"]["admin"]["configure"]>[1]) =>
  sandbox.identityCenter.admin.configure(TENANT, settings);
// At 0.01 per second no token comes back during a test: exactly the burst gets through, counted, not timed.
const frozen = (burst: number) => ({ ratePerSecond: 0.01, burst });
const members = (from: number, n: number) => ids.slice(from, from + n).map((value) => ({ value }));

describe("AWS's throttles per Identity Store instance", () => {
  it("starts with AWS's documented figures: reads 40, writes 25, and the membership assumption 100", () => {
    sandbox.identityCenter.admin.createInstance({ tenantId: "d-7777777778" });
    const fresh = sandbox.identityCenter.admin.listInstances().find((i) => i.tenantId === "d-7777777778");
    expect(fresh?.settings.throttles).toEqual({
      read: { ratePerSecond: 40, burst: 40 },
      write: { ratePerSecond: 25, burst: 25 },
      membership: { ratePerSecond: 100, burst: 100 },
    });
    expect(fresh?.settings.quotas).toEqual({ users: 200_000, groups: 100_000 });
  });

  it("throttles reads and writes apart: spent reads do not hold back writes", async () => {
    configure({ throttles: { read: frozen(2), write: frozen(3), membership: null } });
    const reads = [];
    for (let i = 0; i < 4; i++) reads.push((await scim("GET", "/Users?count=1")).status);
    expect(reads).toEqual([200, 200, 429, 429]);
    const writes = [];
    for (let i = 0; i < 4; i++) writes.push((await scim("POST", "/Groups", group(`apart-${i}`))).status);
    expect(writes).toEqual([201, 201, 201, 429]);
    const report = sandbox.identityCenter.admin.trafficReport(TENANT);
    expect([report.read.requests, report.read.throttled, report.write.requests, report.write.throttled]).toEqual([
      2, 2, 3, 1,
    ]);
    configure(UNTHROTTLED);
  });

  it("counts each member of a group create or PATCH against the membership throttle, with Retry-After", async () => {
    configure({ throttles: { read: null, write: null, membership: { ratePerSecond: 10, burst: 100 } } });
    const created = await scim("POST", "/Groups", group("big", { members: members(0, 60) }));
    expect(created.status).toBe(201);
    // 40 left: a 50-member PATCH is refused, whole, and changes nothing; Retry-After says when 50 are back.
    const refused = await scim(
      "PATCH",
      `/Groups/${created.body.id}`,
      patch({ op: "add", path: "members", value: members(60, 50) }),
    );
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: "429" });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const probe = await scim(
      "GET",
      `/Groups?filter=${encodeURIComponent(`id eq "${created.body.id}" and members eq "${ids[60]}"`)}`,
    );
    expect(probe.body.totalResults).toBe(0);
    // A rename spends no membership operations; a 40-member PATCH spends the rest.
    expect(
      (
        await scim(
          "PATCH",
          `/Groups/${created.body.id}`,
          patch({ op: "replace", path: "displayName", value: "bigger" }),
        )
      ).status,
    ).toBe(204);
    expect(
      (await scim("PATCH", `/Groups/${created.body.id}`, patch({ op: "add", path: "members", value: members(60, 40) })))
        .status,
    ).toBe(204);
    const report = sandbox.identityCenter.admin.trafficReport(TENANT).membership;
    expect([report.requests, report.units, report.throttled]).toEqual([2, 100, 1]);
    configure(UNTHROTTLED);
  });

  it("refuses throttle settings out of range", () => {
    expect(() => configure({ throttles: { write: { ratePerSecond: 0 } } })).toThrow(/write.ratePerSecond/);
    expect(() => configure({ throttles: { read: { burst: 0.5 } } })).toThrow(/read.burst/);
    expect(() => configure({ throttles: { everything: null } as never })).toThrow(/not a throttle/);
  });
});

describe("directory quotas", () => {
  it("refuses a user or group beyond the quota in AWS's error shape, and allows it again when raised", async () => {
    const instance = () => sandbox.identityCenter.admin.listInstances().find((i) => i.tenantId === TENANT)!;
    configure({ quotas: { users: instance().users, groups: instance().groups } });
    const overUser = await scim("POST", "/Users", user("one-too-many@example.com"));
    expect(overUser.status).toBe(400);
    expect(overUser.body).toMatchObject({ status: "400", schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] });
    expect(String(overUser.body.detail)).toMatch(/maximum of \d+ users/);
    expect(typeof overUser.body.exceptionRequestId).toBe("string");
    expect((await scim("POST", "/Groups", group("one-too-many"))).status).toBe(400);
    configure({ quotas: { users: 200_000, groups: 100_000 } });
    expect((await scim("POST", "/Users", user("one-too-many@example.com"))).status).toBe(201);
    expect(() => configure({ quotas: { users: -1 } })).toThrow(/quotas.users/);
  });
});
