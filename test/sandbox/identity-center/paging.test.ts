import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { createUsers, type Scim, sandboxWithInstance } from "./helpers.js";

const TENANT = "d-4444444444";
let sandbox: SandboxHandle;
let scim: Scim;
let ids: string[];

beforeAll(async () => {
  ({ sandbox, scim } = await sandboxWithInstance(TENANT));
  ids = await createUsers(scim, "pager", 120);
});
afterAll(() => sandbox.close());

describe("SCIM list paging", () => {
  it("without cursor answers the non-paginated form: the first 100, totalResults, no nextCursor", async () => {
    const first = await scim("GET", "/Users");
    expect(first.body).toMatchObject({ totalResults: 120, itemsPerPage: 100, startIndex: 1 });
    expect(first.body.Resources).toHaveLength(100);
    expect(first.body).not.toHaveProperty("nextCursor");
  });

  it("with an empty cursor answers the cursor form: itemsPerPage and nextCursor, no totals", async () => {
    const first = await scim("GET", "/Users?cursor=");
    expect(first.body).toMatchObject({ itemsPerPage: 100 });
    expect(first.body).not.toHaveProperty("totalResults");
    expect(first.body).not.toHaveProperty("startIndex");
    expect(typeof first.body.nextCursor).toBe("string");
    const last = await scim("GET", `/Users?cursor=${encodeURIComponent(String(first.body.nextCursor))}`);
    expect(last.body.Resources).toHaveLength(20);
    expect(last.body).not.toHaveProperty("nextCursor");
  });

  it("advertises cursor paging (RFC 9865) in its ServiceProviderConfig", async () => {
    const config = await scim("GET", "/ServiceProviderConfig");
    expect(config.body.pagination).toMatchObject({ cursor: true, index: false });
  });

  it("walks every user exactly once with count and cursor (startIndex ignored)", async () => {
    const seen: string[] = [];
    let cursor: string | undefined = "";
    let pages = 0;
    while (cursor !== undefined) {
      const answer = await scim("GET", `/Users?startIndex=7&count=50&cursor=${encodeURIComponent(cursor)}`);
      expect(answer.status).toBe(200);
      seen.push(...(answer.body.Resources ?? []).map((r) => String(r.id)));
      cursor = answer.body.nextCursor as string | undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
  });

  it("refuses count outside 1–100 and a forged cursor", async () => {
    for (const query of ["count=0", "count=101", "count=abc", "cursor=bm9wZQ", "count=1&count=2"]) {
      expect((await scim("GET", `/Users?${query}`)).status, query).toBe(400);
    }
  });

  it("in legacy mode answers the first 50 and no cursor, so user 51 is invisible", async () => {
    sandbox.identityCenter.admin.configure(TENANT, { legacyPaging: true });
    const legacy = await scim("GET", "/Users?count=100");
    expect(legacy.body.Resources).toHaveLength(50);
    expect(legacy.body.totalResults).toBe(50);
    expect(legacy.body).not.toHaveProperty("nextCursor");
    expect((await scim("GET", "/Users?count=2")).body.Resources).toHaveLength(2);
    const user51 = await scim("GET", "/Users?filter=" + encodeURIComponent('userName eq "pager050"'));
    expect(user51.body.totalResults).toBe(1);
    sandbox.identityCenter.admin.configure(TENANT, { legacyPaging: false });
    expect((await scim("GET", "/Users")).body.totalResults).toBe(120);
  });
});
