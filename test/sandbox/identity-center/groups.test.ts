import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { createUsers, group, patch, type Scim, sandboxWithInstance } from "./helpers.js";

const TENANT = "d-3333333333";
let sandbox: SandboxHandle;
let scim: Scim;
let users: string[];

beforeAll(async () => {
  ({ sandbox, scim } = await sandboxWithInstance(TENANT));
  users = await createUsers(scim, "member", 102);
});
afterAll(() => sandbox.close());

const members = (ids: string[]) => ids.map((value) => ({ value }));
const filter = (text: string) => `?filter=${encodeURIComponent(text)}`;
const memberIdsOf = (displayName: string) =>
  sandbox
    .state()
    .identityCenter?.instances.find((i) => i.tenantId === TENANT)
    ?.groups.find((g) => g.displayName === displayName)?.memberIds;

describe("SCIM Groups", () => {
  it("creates a group, answers 409 for its displayName again, and GET lists no members", async () => {
    const created = await scim(
      "POST",
      "/Groups",
      group("Engineering", { externalId: "okta-grp-1", members: members(users.slice(0, 2)) }),
    );
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(/\/Groups\/[\w-]+$/);
    expect(created.body).toMatchObject({ displayName: "Engineering", externalId: "okta-grp-1", members: [] });
    const again = await scim("POST", "/Groups", group("Engineering"));
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe("Group already exists");
    const read = await scim("GET", `/Groups/${created.body.id}`);
    expect(read.body.members).toEqual([]);
    expect(memberIdsOf("Engineering")).toEqual(users.slice(0, 2));
  });

  it("refuses a group without displayName and one created with more than 100 members", async () => {
    expect((await scim("POST", "/Groups", { schemas: [] })).status).toBe(400);
    expect((await scim("POST", "/Groups", group("Huge", { members: members(users.slice(0, 101)) }))).status).toBe(400);
  });

  it("has no PUT: 400, and the group is unchanged", async () => {
    const { body } = await scim("POST", "/Groups", group("Support"));
    const put = await scim("PUT", `/Groups/${body.id}`, group("Renamed"));
    expect(put.status).toBe(400);
    expect(put.body.status).toBe("400");
    expect((await scim("GET", `/Groups/${body.id}`)).body.displayName).toBe("Support");
  });

  it("patches members in and out (204) and answers membership through filters", async () => {
    const { body } = await scim("POST", "/Groups", group("Finance"));
    const id = String(body.id);
    const add = await scim(
      "PATCH",
      `/Groups/${id}`,
      patch({ op: "add", path: "members", value: members(users.slice(0, 100)) }),
    );
    expect(add.status).toBe(204);
    expect(memberIdsOf("Finance")).toHaveLength(100);
    const isMember = await scim("GET", `/Groups${filter(`id eq "${id}" and members eq "${users[5]}"`)}`);
    expect(isMember.body.totalResults).toBe(1);
    const remove = await scim(
      "PATCH",
      `/Groups/${id}`,
      patch({ op: "remove", path: `members[value eq "${users[5]}"]` }),
    );
    expect(remove.status).toBe(204);
    const notMember = await scim("GET", `/Groups${filter(`id eq "${id}" and members eq "${users[5]}"`)}`);
    expect(notMember.body.totalResults).toBe(0);
    const byGroup = await scim("GET", `/Users${filter(`groups.value eq "${id}"`)}`);
    expect(byGroup.body.totalResults).toBe(99);
    const renamed = await scim(
      "PATCH",
      `/Groups/${id}`,
      patch({ op: "replace", value: { id, displayName: "Finance EU" } }),
    );
    expect(renamed.status).toBe(204);
    expect((await scim("GET", `/Groups${filter('displayName eq "Finance EU"')}`)).body.totalResults).toBe(1);
  });

  it("refuses 101 membership changes in one PATCH and writes none of them", async () => {
    const { body } = await scim("POST", "/Groups", group("Big"));
    const split = patch(
      { op: "add", path: "members", value: members(users.slice(0, 60)) },
      { op: "add", path: "members", value: members(users.slice(60, 101)) },
    );
    const answer = await scim("PATCH", `/Groups/${body.id}`, split);
    expect(answer.status).toBe(400);
    expect(memberIdsOf("Big")).toEqual([]);
  });

  it("refuses removing or replacing all members, nested groups and other attributes", async () => {
    const { body } = await scim("POST", "/Groups", group("Ops", { members: members(users.slice(0, 3)) }));
    const inner = await scim("POST", "/Groups", group("Ops-inner"));
    const refused = [
      patch({ op: "remove", path: "members" }),
      patch({ op: "replace", path: "members", value: members(users.slice(3, 4)) }),
      patch({ op: "add", path: "members", value: [{ value: inner.body.id }] }),
      patch({ op: "replace", path: "description", value: "x" }),
      patch({ op: "Add", path: "members", value: members(users.slice(3, 4)) }),
    ];
    for (const request of refused) expect((await scim("PATCH", `/Groups/${body.id}`, request)).status).toBe(400);
    expect(memberIdsOf("Ops")).toEqual(users.slice(0, 3));
  });

  it("deletes a group (204), then 404", async () => {
    const { body } = await scim("POST", "/Groups", group("Temp"));
    expect((await scim("DELETE", `/Groups/${body.id}`)).status).toBe(204);
    expect((await scim("GET", `/Groups/${body.id}`)).status).toBe(404);
    expect((await scim("GET", `/Groups${filter('displayName co "Temp"')}`)).status).toBe(400);
  });
});
