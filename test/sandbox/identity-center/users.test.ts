import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { ERROR_SCHEMA, patch, type Scim, sandboxWithInstance, user } from "./helpers.js";

const TENANT = "d-1111111111";
let sandbox: SandboxHandle;
let scim: Scim;
let token: string;

beforeAll(async () => {
  ({ sandbox, scim, token } = await sandboxWithInstance(TENANT));
});
afterAll(() => sandbox.close());

describe("SCIM Users", () => {
  it("creates a user: 201, Location, application/scim+json, the stored attributes and meta", async () => {
    const created = await scim("POST", "/Users", user("alice@example.com", { externalId: "okta-00u1" }));
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toBe("application/scim+json");
    expect(created.headers.get("location")).toBe(`${sandbox.identityCenter.scimUrl(TENANT)}/Users/${created.body.id}`);
    expect(created.body).toMatchObject({
      userName: "alice@example.com",
      externalId: "okta-00u1",
      active: true,
      meta: { resourceType: "User" },
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    });
    const read = await scim("GET", `/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.displayName).toBe("Display alice@example.com");
  });

  it("answers 409 for a userName that differs only in case, with AWS's error body", async () => {
    const again = await scim("POST", "/Users", user("ALICE@example.com"));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      schema: [ERROR_SCHEMA],
      schemas: [ERROR_SCHEMA],
      status: "409",
      detail: "Refused to create a new, duplicate resource.",
    });
    expect(again.body.exceptionRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.body.timeStamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(again.body).not.toHaveProperty("scimType");
  });

  it.each([
    ["userName", { userName: undefined }],
    ["displayName", { displayName: undefined }],
    ["name.givenName", { name: { familyName: "F" } }],
    ["name.familyName", { name: { givenName: "G" } }],
  ])("refuses a user without %s", async (_attr, change) => {
    const answer = await scim("POST", "/Users", { ...user("missing@example.com"), ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toBe("Request is unparsable, syntactically incorrect, or violates schema.");
  });

  it("refuses more than one email, a non-primary email and a display sub-attribute", async () => {
    const two = await scim(
      "POST",
      "/Users",
      user("two@example.com", {
        emails: [
          { value: "two@example.com", type: "work", primary: true },
          { value: "two@home.example", type: "home" },
        ],
      }),
    );
    expect(two.status).toBe(400);
    expect(two.body.detail).toBe("List attributes only allow single item.");
    const notPrimary = await scim("POST", "/Users", user("np@example.com", { emails: [{ value: "np@example.com" }] }));
    expect(notPrimary.status).toBe(400);
    const display = await scim(
      "POST",
      "/Users",
      user("d@example.com", {
        phoneNumbers: [{ value: "+1 555 0100", type: "work", display: "555-0100" }],
      }),
    );
    expect(display.status).toBe(400);
  });

  it.each(["password", "ims", "photos", "x509Certificates", "entitlements", "groups"])(
    "refuses the attribute %s",
    async (attribute) => {
      const answer = await scim("POST", "/Users", user(`${attribute}@example.com`, { [attribute]: [{ value: "x" }] }));
      expect(answer.status).toBe(400);
    },
  );

  it("requires every part of an address", async () => {
    const partial = await scim(
      "POST",
      "/Users",
      user("addr@example.com", {
        addresses: [{ streetAddress: "1 Main St", locality: "Springfield", type: "work" }],
      }),
    );
    expect(partial.status).toBe(400);
    const full = await scim(
      "POST",
      "/Users",
      user("addr@example.com", {
        addresses: [
          { streetAddress: "1 Main St", locality: "Springfield", region: "IL", postalCode: "62701", country: "US" },
        ],
      }),
    );
    expect(full.status).toBe(201);
  });

  it("keeps the enterprise extension", async () => {
    const ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const answer = await scim("POST", "/Users", user("ent@example.com", { [ext]: { department: "Finance" } }));
    expect(answer.status).toBe(201);
    expect(answer.body.schemas).toContain(ext);
    expect(answer.body[ext]).toEqual({ department: "Finance" });
  });

  it("replaces a user with PUT and refuses a PUT that takes another user's userName", async () => {
    const bob = await scim("POST", "/Users", user("bob@example.com"));
    const replaced = await scim("PUT", `/Users/${bob.body.id}`, user("bob@example.com", { displayName: "Robert" }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.displayName).toBe("Robert");
    const clash = await scim("PUT", `/Users/${bob.body.id}`, user("alice@example.com"));
    expect(clash.status).toBe(409);
  });

  it("applies PATCH as Okta sends it (replace without path) and deactivates", async () => {
    const carol = await scim("POST", "/Users", user("carol@example.com"));
    const id = carol.body.id;
    const renamed = await scim("PATCH", `/Users/${id}`, patch({ op: "replace", value: { displayName: "Carol C" } }));
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe("Carol C");
    const email = await scim(
      "PATCH",
      `/Users/${id}`,
      patch({
        op: "replace",
        path: 'emails[type eq "work"].value',
        value: "carol@new.example",
      }),
    );
    expect(email.body.emails).toEqual([{ value: "carol@new.example", type: "work", primary: true }]);
    const off = await scim("PATCH", `/Users/${id}`, patch({ op: "replace", path: "active", value: false }));
    expect(off.body.active).toBe(false);
  });

  it("refuses PATCH ops AWS refuses, and a refused PATCH changes nothing", async () => {
    const dave = await scim("POST", "/Users", user("dave@example.com"));
    const id = dave.body.id;
    const refused = [
      patch({ op: "Replace", path: "displayName", value: "X" }),
      patch({ op: "remove", value: { title: "x" } }),
      patch({ op: "remove", path: "active" }),
      patch({ op: "remove", path: "userName" }),
      patch({ op: "replace", path: "active", value: false }, { op: "replace", path: "active", value: true }),
      patch({ op: "replace", path: "displayName", value: "Changed" }, { op: "add", path: "password", value: "x" }),
      { Operations: [{ op: "replace", path: "displayName", value: "X" }] },
    ];
    // Applied in part, then refused as a whole (no surname left): the stored name must not have been edited.
    refused.push(
      patch({ op: "replace", path: "name.givenName", value: "Nope" }, { op: "remove", path: "name.familyName" }),
    );
    for (const body of refused) expect((await scim("PATCH", `/Users/${id}`, body)).status).toBe(400);
    const after = await scim("GET", `/Users/${id}`);
    expect(after.body.displayName).toBe("Display dave@example.com");
    expect(after.body.name).toEqual({ givenName: "Given", familyName: "Family" });
    const removeTitle = await scim("PATCH", `/Users/${id}`, patch({ op: "remove", path: "title" }));
    expect(removeTitle.status).toBe(200);
  });

  it("filters with eq and `and` only, userName case-insensitively", async () => {
    const found = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "ALICE@EXAMPLE.COM"')}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources?.[0]?.userName).toBe("alice@example.com");
    const both = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "alice@example.com" and externalId eq "okta-00u1"')}`,
    );
    expect(both.body.totalResults).toBe(1);
    const none = await scim("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    for (const filter of [
      'userName co "alice"',
      'userName eq "a" or userName eq "b"',
      'not (userName eq "a")',
      'displayName eq "Robert"',
      'emails[type eq "work"]',
      "userName pr",
    ]) {
      const answer = await scim("GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(400);
    }
  });

  it("deletes with 204, then answers 404", async () => {
    const erin = await scim("POST", "/Users", user("erin@example.com"));
    expect((await scim("DELETE", `/Users/${erin.body.id}`)).status).toBe(204);
    const gone = await scim("GET", `/Users/${erin.body.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.status).toBe("404");
  });
});

describe("SCIM endpoint", () => {
  it("serves ServiceProviderConfig, Schemas and ResourceTypes", async () => {
    const config = await scim("GET", "/ServiceProviderConfig");
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      sort: { supported: false },
    });
    const schemas = await scim("GET", "/Schemas");
    expect(schemas.body.Resources?.map((s) => s.id)).toContain("urn:ietf:params:scim:schemas:core:2.0:User");
    const one = await scim("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group");
    expect(one.body.name).toBe("Group");
    const types = await scim("GET", "/ResourceTypes");
    expect(types.body.Resources?.map((t) => t.id)).toEqual(["User", "Group"]);
  });

  it("answers 404 for a base URL given with a trailing slash, and for /Me and /Bulk", async () => {
    expect((await scim("GET", "//Users")).status).toBe(404);
    expect((await scim("GET", "/Me")).status).toBe(404);
    expect((await scim("POST", "/Bulk", {})).status).toBe(404);
  });

  it("answers 401 without a token, with a wrong token, and for another tenant's URL", async () => {
    const base = sandbox.identityCenter.scimUrl(TENANT);
    expect((await fetch(`${base}/Users`)).status).toBe(401);
    expect((await scim("GET", "/Users", undefined, "not-a-token")).status).toBe(401);
    const other = await fetch(`${base.replace(TENANT, "d-2222222222")}/Users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(other.status).toBe(401);
    const body = await other.json();
    expect(body).toMatchObject({ status: "401", schemas: [ERROR_SCHEMA] });
  });
});
