import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { type Scim, sandboxWithInstance, user } from "./helpers.js";

const TENANT = "d-5555555555";
let sandbox: SandboxHandle;
let scim: Scim;

beforeAll(async () => {
  ({ sandbox, scim } = await sandboxWithInstance(TENANT));
});
afterAll(() => sandbox.close());

const quiet = {
  rateLimitPerSecond: null,
  burst: null,
  seed: null,
  faults: { status500Rate: 0, dropAfterWriteRate: 0, status429Rate: 0 },
};
const configure = (settings: Parameters<SandboxHandle["identityCenter"]["admin"]["configure"]>[1]) =>
  sandbox.identityCenter.admin.configure(TENANT, settings);
const countOf = async (userName: string) =>
  (await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults;

describe("throttling and fault injection", () => {
  it("answers 429 with Retry-After once the burst is spent (counted, not timed)", async () => {
    // At 0.01 requests per second no token comes back during the test: exactly the burst gets through.
    configure({ ...quiet, rateLimitPerSecond: 0.01, burst: 3 });
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await scim("GET", "/Users"));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(3);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled).toHaveLength(7);
    expect(Number(throttled[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(throttled[0]?.body).toMatchObject({ status: "429", detail: "Rate exceeded" });
    configure(quiet);
    expect((await scim("GET", "/Users")).status).toBe(200);
  });

  it("injects 429s at the configured share", async () => {
    configure({ ...quiet, faults: { status429Rate: 1 } });
    expect((await scim("GET", "/Users")).status).toBe(429);
    configure(quiet);
  });

  it("an injected 500 writes nothing", async () => {
    configure({ ...quiet, faults: { status500Rate: 1 } });
    const answer = await scim("POST", "/Users", user("fault500@example.com"));
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({ status: "500" });
    configure(quiet);
    expect(await countOf("fault500@example.com")).toBe(0);
  });

  it("a dropped response still wrote: the retry gets 409 and the client must adopt the user", async () => {
    configure({ ...quiet, faults: { dropAfterWriteRate: 1 } });
    await expect(scim("POST", "/Users", user("dropped@example.com"))).rejects.toThrow();
    configure(quiet);
    expect(await countOf("dropped@example.com")).toBe(1);
    expect((await scim("POST", "/Users", user("dropped@example.com"))).status).toBe(409);
  });

  it("drops only writes: reads are answered", async () => {
    configure({ ...quiet, faults: { dropAfterWriteRate: 1 } });
    expect((await scim("GET", "/Users")).status).toBe(200);
    configure(quiet);
  });

  it("repeats the same faults for the same seed", async () => {
    const run = async () => {
      configure({ ...quiet, seed: 42, faults: { status500Rate: 0.5 } });
      const statuses = [];
      for (let i = 0; i < 16; i++) statuses.push((await scim("GET", "/Users")).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    configure(quiet);
  });

  it("refuses settings out of range", () => {
    expect(() => configure({ faults: { status500Rate: 2 } })).toThrow(/between 0 and 1/);
    expect(() => configure({ rateLimitPerSecond: -1 })).toThrow(/rateLimitPerSecond/);
  });
});
