import { describe, expect, it } from "vitest";
import {
  inProcessBudgets,
  MEMBERSHIP_HEADROOM,
  membershipCost,
  ScimClient,
  TokenBucket,
  WRITE_HEADROOM,
} from "../../../src/core/scim/index.js";
import { manualTimer } from "./helpers.js";

const patch = (...operations: unknown[]) => ({ schemas: ["x"], Operations: operations });

describe("membershipCost", () => {
  it("counts each member of a group create or PATCH, and nothing else", () => {
    expect(membershipCost("POST", "/Groups", { displayName: "g", members: [{ value: "a" }, { value: "b" }] })).toBe(2);
    expect(membershipCost("POST", "/Groups", { displayName: "g" })).toBe(0);
    const ops = patch(
      { op: "add", path: "members", value: [{ value: "a" }, { value: "b" }, { value: "c" }] },
      { op: "remove", path: 'members[value eq "d"]' },
      { op: "replace", path: "displayName", value: "h" },
      { op: "add", value: { members: [{ value: "e" }] } },
    );
    expect(membershipCost("PATCH", "/Groups/g1", ops)).toBe(5);
    expect(membershipCost("PATCH", "/Users/u1", ops)).toBe(0);
    expect(membershipCost("POST", "/Users", { members: [{ value: "a" }] })).toBe(0);
  });
});

describe("TokenBucket costs", () => {
  it("a cost above the burst waits for a full bucket and leaves a debt the next request repays", async () => {
    const time = manualTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, time.timer);
    await bucket.take(20); // full bucket (5) → −15
    expect(time.elapsed()).toBe(0);
    await bucket.take(1); // needs 16 tokens back: 1.6 s
    expect(time.elapsed()).toBe(1600);
  });
});

/** A client on AWS-shaped budgets whose fetch answers from `answer`, recording method and time of each call. */
function awsClient(
  answer: (method: string, n: number) => { status: number; headers?: Record<string, string> },
  maxAttempts = 5,
) {
  const time = manualTimer();
  const calls: Array<{ method: string; at: number }> = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    const method = init.method ?? "GET";
    calls.push({ method, at: time.elapsed() });
    const { status, headers } = answer(method, calls.length);
    return new Response(status === 204 ? null : "{}", { status, headers });
  }) as unknown as typeof fetch;
  const limits = {
    read: { ratePerSecond: 4, burst: 4 },
    write: { ratePerSecond: 2, burst: 2 },
    membership: { ratePerSecond: 100, burst: 100 },
  };
  const client = new ScimClient({
    baseUrl: "https://scim.example/t/scim/v2",
    token: "secret",
    fetch: fetchImpl,
    timer: time.timer,
    random: () => 0,
    retry: { maxAttempts },
    budgets: inProcessBudgets(limits, time.timer),
  });
  return { client, calls, time };
}

const members = (n: number) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: [{ op: "add", path: "members", value: Array.from({ length: n }, (_, i) => ({ value: `u${i}` })) }],
});

describe("ScimClient budgets", () => {
  it("draws reads, writes and membership operations from their own budgets", async () => {
    const { client, time } = awsClient(() => ({ status: 200 }));
    for (let i = 0; i < 4; i++) await client.request("GET", "/Users");
    for (let i = 0; i < 2; i++) await client.request("POST", "/Users", { body: {} });
    // Four reads and two writes fit their bursts: nothing waited, each budget spent apart.
    expect(time.elapsed()).toBe(0);
    await client.request("PATCH", "/Groups/g1", { body: members(100) });
    // The write budget is empty (0.5 s to a token, at the headroom under the rate); the membership budget had its
    // burst of 100.
    expect(time.elapsed()).toBe(Math.ceil(1000 / (2 * WRITE_HEADROOM)));
    await client.request("PATCH", "/Groups/g1", { body: members(100) });
    // Its membership operations were drawn at 0, before it waited for the write: 100 more are back at 95 a
    // second (the headroom under the budget), 1.053 s after that.
    expect(time.elapsed()).toBe(Math.ceil(100_000 / (100 * MEMBERSHIP_HEADROOM)));
  });

  it("a 429 on a membership PATCH pauses the membership budget, not the writes of user creates", async () => {
    const { client, calls } = awsClient(
      (method, n) =>
        method === "PATCH" && n === 1 ? { status: 429, headers: { "retry-after": "3" } } : { status: 200 },
      1,
    );
    await expect(client.request("PATCH", "/Groups/g1", { body: members(10) })).rejects.toMatchObject({
      httpStatus: 429,
    });
    await client.request("POST", "/Users", { body: {} });
    await client.request("PATCH", "/Groups/g1", { body: members(10) });
    // The user create went out at once; the next membership PATCH waited out the Retry-After.
    expect(calls.map((c) => [c.method, c.at])).toEqual([
      ["PATCH", 0],
      ["POST", 0],
      ["PATCH", 3000],
    ]);
  });
});
