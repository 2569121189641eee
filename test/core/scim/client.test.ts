import { describe, expect, it } from "vitest";
import {
  awsIdentityCenterProfile,
  parseErrorBody,
  parseRetryAfter,
  ScimClient,
  ScimError,
  ScimOperations,
  TokenBucket,
} from "../../../src/core/scim/index.js";
import { makeUser, manualTimer, seededRandom } from "./helpers.js";

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that plays back scripted answers and records what was asked. */
function scriptedFetch(answers: Answer[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift() ?? { status: 200, body: {} };
    if (next instanceof Error) throw next;
    const text = next.body === undefined ? "" : typeof next.body === "string" ? next.body : JSON.stringify(next.body);
    return new Response(next.status === 204 ? null : text, { status: next.status, headers: next.headers });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

function client(answers: Answer[], maxAttempts = 4) {
  const time = manualTimer();
  const { fetchImpl, calls } = scriptedFetch(answers);
  const scim = new ScimClient({
    baseUrl: "https://scim.example/tenant/scim/v2/",
    token: "secret",
    fetch: fetchImpl,
    timer: time.timer,
    random: seededRandom(3),
    retry: { maxAttempts, baseDelayMs: 100, maxDelayMs: 1000 },
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
  });
  return { scim, calls, time };
}

const awsError = (status: number, detail: string) => ({
  schema: ["urn:ietf:params:scim:api:messages:2.0:Error"],
  schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
  detail,
  status: String(status),
  exceptionRequestId: "3f1c0f6e-0000-4000-8000-000000000000",
  timeStamp: "2022-01-26 16:50:48.135",
});

describe("ScimClient", () => {
  it("sends bearer auth and SCIM media types, with filters percent-encoded", async () => {
    const { scim, calls } = client([{ status: 200, body: { Resources: [] } }]);
    await scim.request("GET", "/Users", { query: { filter: 'userName eq "a b"', count: 100 } });
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe("Bearer secret");
    expect(headers.accept).toBe("application/scim+json");
    expect(calls[0]!.url).toBe(
      "https://scim.example/tenant/scim/v2/Users?filter=userName%20eq%20%22a%20b%22&count=100",
    );
  });

  it("retries 5xx, 429 and network errors with full-jitter backoff, then succeeds", async () => {
    const { scim, time } = client([
      { status: 500 },
      { status: 429 },
      new TypeError("fetch failed"),
      { status: 200, body: { id: "u1" } },
    ]);
    const response = await scim.request("GET", "/Users/u1");
    expect(response.body).toEqual({ id: "u1" });
    expect(scim.stats).toMatchObject({
      requests: { ok: 1, serverError: 1, throttled: 1, networkError: 1 },
      throttles: 1,
      retries: 3,
      exhausted: 0,
    });
    // Full jitter: each wait lies in [0, base·2^(n-1)].
    expect(time.sleeps).toHaveLength(3);
    time.sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it("treats a timeout as retryable", async () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const { scim } = client([timeout as unknown as Error, { status: 201, body: { id: "u2" } }]);
    expect((await scim.request("POST", "/Users", { body: {} })).status).toBe(201);
    expect(scim.stats.retries).toBe(1);
  });

  it("gives up after the last attempt with the error of the last answer", async () => {
    const { scim } = client([{ status: 503 }, { status: 503 }, { status: 503, body: awsError(503, "down") }], 3);
    const error = await scim.request("GET", "/Users").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ errorClass: "retryable", httpStatus: 503, attempts: 3, body: { detail: "down" } });
    expect(scim.stats.exhausted).toBe(1);
  });

  it("does not retry auth failures or permanent errors, and reads AWS's error body", async () => {
    const auth = client([{ status: 401, body: awsError(401, "Unauthorized") }]);
    await expect(auth.scim.request("GET", "/Users")).rejects.toMatchObject({
      errorClass: "auth",
      // The target's refusal is the target's failure, never our own 401.
      code: "remote_failed",
      details: { remoteStatus: 401, remoteMessage: "Unauthorized" },
    });
    expect(auth.calls).toHaveLength(1);

    const bad = client([
      { status: 400, body: awsError(400, "Request is unparsable, syntactically incorrect, or violates schema.") },
    ]);
    const error = (await bad.scim.request("POST", "/Users", { body: {} }).catch((e: unknown) => e)) as ScimError;
    expect(error).toMatchObject({ errorClass: "permanent", code: "remote_failed", httpStatus: 400 });
    expect(error.body).toEqual({
      detail: "Request is unparsable, syntactically incorrect, or violates schema.",
      status: "400",
      scimType: null,
      requestId: "3f1c0f6e-0000-4000-8000-000000000000",
    });
    expect(bad.calls).toHaveLength(1);
  });

  it("honours Retry-After over a shorter backoff", async () => {
    const { scim, time } = client([
      { status: 429, headers: { "retry-after": "12" } },
      { status: 200, body: {} },
    ]);
    await scim.request("GET", "/Groups");
    expect(time.elapsed()).toBeGreaterThanOrEqual(12_000);
  });
});

describe("error bodies and Retry-After", () => {
  it("reads RFC 7644 bodies with scimType, and survives non-JSON", () => {
    expect(parseErrorBody(JSON.stringify({ status: "409", scimType: "uniqueness", detail: "taken" }))).toEqual({
      detail: "taken",
      status: "409",
      scimType: "uniqueness",
      requestId: null,
    });
    expect(parseErrorBody(JSON.stringify({ status: 404, detail: "gone" })).status).toBe("404");
    expect(parseErrorBody("<html>Bad Gateway</html>").detail).toBe("<html>Bad Gateway</html>");
  });

  it("parses seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("TokenBucket", () => {
  it("lets a burst through, then paces to the rate", async () => {
    const time = manualTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, time.timer);
    for (let i = 0; i < 25; i++) await bucket.take();
    // 5 at once, then 20 more at 10 per second.
    expect(time.elapsed()).toBe(2000);
  });

  it("paces clients that share it together, and each counts only its own wait", async () => {
    const time = manualTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, time.timer);
    const make = () =>
      new ScimClient({
        baseUrl: "https://scim.example/tenant/scim/v2",
        token: "secret",
        fetch: scriptedFetch([]).fetchImpl,
        timer: time.timer,
        bucket,
      });
    const [first, second] = [make(), make()];
    for (let i = 0; i < 5; i++) await first.request("GET", "/Users");
    expect(time.elapsed()).toBe(0);
    // The burst is spent: the second client of the same target waits for tokens like the first would.
    for (let i = 0; i < 5; i++) await second.request("GET", "/Users");
    expect(time.elapsed()).toBe(500);
    expect([first.stats.rateLimitWaitMs, second.stats.rateLimitWaitMs]).toEqual([0, 500]);
  });

  it("holds everything back while paused by a Retry-After", async () => {
    const time = manualTimer();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 10 }, time.timer);
    bucket.pauseFor(4000);
    await bucket.take();
    expect(time.elapsed()).toBe(4000);
  });
});

describe("a create answered without an id", () => {
  it("asks the target for the user instead of recording an empty id", async () => {
    const user = makeUser(1);
    const found = { id: "u-1", userName: user.userName, externalId: user.externalId };
    const { scim, calls } = client([
      { status: 200, body: { Resources: [] } },
      { status: 200, body: { Resources: [] } },
      { status: 201, body: "" },
      { status: 200, body: { Resources: [found] } },
    ]);
    const created = await new ScimOperations(scim, awsIdentityCenterProfile).createUser(user);
    expect(created).toMatchObject({ adopted: false, remote: { id: "u-1" } });
    expect(calls.map((c) => c.init.method)).toEqual(["GET", "GET", "POST", "GET"]);
  });
});
