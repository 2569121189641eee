import { describe, expect, it } from "vitest";
import {
  awsIdentityCenterProfile,
  genericScim2Profile,
  PagingDiscovery,
  ScimClient,
  ScimOperations,
} from "../../../src/core/scim/index.js";
import { manualTimer } from "./helpers.js";

type Json = Record<string, unknown>;
const user = (n: number) => ({ id: `r${n}`, userName: `u${n}@example.com`, externalId: `usr_${n}` });

/** A server of `total` users answering through `page`, recording each request's path and query. */
function server(total: number, page: (query: URLSearchParams, all: Json[]) => Json, config: Json | null = null) {
  const all = Array.from({ length: total }, (_, i) => user(i));
  const asked: URL[] = [];
  const fetchImpl = (async (input: string) => {
    const url = new URL(input);
    asked.push(url);
    if (url.pathname.endsWith("/ServiceProviderConfig"))
      return config ? Response.json(config) : new Response('{"detail":"no"}', { status: 404 });
    return Response.json(page(url.searchParams, all));
  }) as unknown as typeof fetch;
  const client = new ScimClient({
    baseUrl: "https://scim.example/t/scim/v2",
    token: "secret",
    fetch: fetchImpl,
    timer: manualTimer().timer,
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
  });
  return { client, asked };
}

/** RFC 9865 cursor pages: the offset as the cursor, no totals (as AWS's cursor form). */
const cursorPages = (query: URLSearchParams, all: Json[]) => {
  const offset = Number(query.get("cursor") || 0);
  const count = Number(query.get("count"));
  const next = offset + count < all.length ? String(offset + count) : undefined;
  return { Resources: all.slice(offset, offset + count), itemsPerPage: count, ...(next ? { nextCursor: next } : {}) };
};
/** RFC 7644 index pages. */
const indexPages = (query: URLSearchParams, all: Json[]) => {
  const start = Number(query.get("startIndex"));
  const count = Number(query.get("count"));
  return { Resources: all.slice(start - 1, start - 1 + count), totalResults: all.length, startIndex: start };
};

describe("paging of a generic SCIM 2.0 target", () => {
  it("uses RFC 9865 cursors when the ServiceProviderConfig advertises them, reading that document once", async () => {
    const { client, asked } = server(230, cursorPages, { pagination: { cursor: true, index: false } });
    const paging = new PagingDiscovery();
    const ops = new ScimOperations(client, genericScim2Profile, { paging });
    const listing = await ops.listUsers();
    expect([listing.items.length, listing.complete]).toEqual([230, true]);
    await new ScimOperations(client, genericScim2Profile, { paging }).listUsers();
    expect(asked.filter((u) => u.pathname.endsWith("/ServiceProviderConfig"))).toHaveLength(1);
    const lists = asked.filter((u) => u.pathname.endsWith("/Users"));
    expect(lists.map((u) => u.searchParams.get("cursor"))).toEqual(["", "100", "200", "", "100", "200"]);
    expect(lists.some((u) => u.searchParams.has("startIndex"))).toBe(false);
  });

  it("uses startIndex when it does not advertise cursors, or has no such document", async () => {
    for (const config of [{ pagination: { cursor: false, index: true } }, {}, null]) {
      const { client, asked } = server(150, indexPages, config);
      const listing = await new ScimOperations(client, genericScim2Profile).listUsers();
      expect([listing.items.length, listing.complete]).toEqual([150, true]);
      const lists = asked.filter((u) => u.pathname.endsWith("/Users"));
      expect(lists.map((u) => u.searchParams.get("startIndex"))).toEqual(["1", "101"]);
    }
  });
});

describe("a cursor listing is complete only when proven so", () => {
  const aws = (client: ScimClient) => new ScimOperations(client, awsIdentityCenterProfile);

  it("a server that ignores the cursor (first page, a larger total, no nextCursor) is incomplete", async () => {
    const { client } = server(250, (query, all) => ({
      Resources: all.slice(0, Number(query.get("count"))),
      totalResults: all.length,
      startIndex: 1,
    }));
    const listing = await aws(client).listUsers();
    expect([listing.items.length, listing.complete]).toEqual([100, false]);
  });

  it("a server handing back a cursor it gave before is stopped, and the listing incomplete", async () => {
    const { client, asked } = server(250, (_query, all) => ({ Resources: all.slice(0, 100), nextCursor: "again" }));
    const listing = await aws(client).listUsers();
    expect(listing.complete).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it("a last page whose total exceeds what was read is incomplete; one without a total is the end", async () => {
    const short = server(150, (query, all) => ({ ...cursorPages(query, all), totalResults: 999 }));
    expect((await aws(short.client).listUsers()).complete).toBe(false);
    const whole = server(150, cursorPages);
    expect((await aws(whole.client).listUsers()).complete).toBe(true);
  });
});
