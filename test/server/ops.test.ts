import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../src/runtime.js";
import { buildApp } from "../../src/server/app.js";
import { backends } from "../helpers/backends.js";
import { expectError, type Harness, openHarness } from "./harness.js";

describe.each(backends)("ops endpoints on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => h?.close());

  it("answers /healthz and /readyz without credentials", async () => {
    const health = await h.call({ method: "GET", url: "/healthz", token: null });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: "ok" });
    const ready = await h.call({ method: "GET", url: "/readyz", token: null });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ok", checks: { store: "ok" } });
  });

  it("answers /readyz with 503 when the database is unreachable, while /healthz stays up", async () => {
    const runtime = await openRuntime(h.runtime.config);
    const app = await buildApp(runtime);
    try {
      await runtime.close();
      const ready = await app.inject({ method: "GET", url: "/readyz" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "unavailable", checks: { store: "unreachable" } });
      expect((await app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("exposes Prometheus metrics: process defaults, requests by route and status, directory sizes", async () => {
    await h.call({ method: "GET", url: "/api/v1/users" });
    await h.call({ method: "GET", url: "/api/v1/users", token: null });
    const res = await h.call({ method: "GET", url: "/metrics", token: null });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toContain("process_cpu_user_seconds_total");
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users",status_code="200"\} [1-9]/);
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/users",status_code="401"\} [1-9]/);
    expect(res.body).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/users"');
    const users = await h.runtime.store.users.count();
    expect(res.body).toContain(`rolebridge_users ${users}`);
    expect(res.body).toMatch(/rolebridge_groups \d+/);
    expect(res.body).toMatch(/rolebridge_provisioning_queue_depth 0/);
  });
});

describe("HTTP conventions", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backends[0]!);
  });
  afterAll(async () => h?.close());

  it("serves the OpenAPI document, generated from the route schemas, without credentials", async () => {
    for (const url of ["/api/docs", "/api/docs/openapi.json"]) {
      const res = await h.call({ method: "GET", url, token: null });
      expect(res.statusCode).toBe(200);
      const doc = res.json() as {
        openapi: string;
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
        components: { securitySchemes: Record<string, unknown> };
      };
      expect(doc.openapi).toMatch(/^3\./);
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(routes).toEqual(
        expect.arrayContaining([
          "POST /api/v1/sessions",
          "GET /api/v1/sessions/me",
          "DELETE /api/v1/sessions/me",
          "GET /api/v1/users",
          "POST /api/v1/users",
          "GET /api/v1/users/{id}",
          "POST /api/v1/users/{id}",
          "PUT /api/v1/users/{id}",
          "DELETE /api/v1/users/{id}",
          "POST /api/v1/users/{id}/lifecycle/{action}",
          "POST /api/v1/users/{id}/credentials/password",
          "GET /api/v1/users/{id}/groups",
          "GET /api/v1/groups",
          "POST /api/v1/groups",
          "GET /api/v1/groups/{id}",
          "PUT /api/v1/groups/{id}",
          "DELETE /api/v1/groups/{id}",
          "GET /api/v1/groups/{id}/users",
          "PUT /api/v1/groups/{id}/users/{userId}",
          "DELETE /api/v1/groups/{id}/users/{userId}",
          "GET /api/v1/logs",
          "GET /api/v1/api-tokens",
          "POST /api/v1/api-tokens",
          "DELETE /api/v1/api-tokens/{id}",
          "GET /healthz",
          "GET /readyz",
          "GET /metrics",
        ]),
      );
      expect(routes.some((r) => r.includes("/api/docs"))).toBe(false);
      expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminSession", "apiToken"]);
      const createUser = doc.paths["/api/v1/users"]?.post?.requestBody?.content["application/json"]?.schema;
      expect(createUser).toMatchObject({ additionalProperties: false, required: ["profile"] });
    }
  });

  it("sends security headers and a request id on every response, errors included", async () => {
    for (const [url, token] of [
      ["/api/v1/users", undefined],
      ["/api/v1/users", null],
      ["/no/such/route", null],
      ["/healthz", null],
    ] as const) {
      const res = await h.call({ method: "GET", url, token });
      expect(res.headers).toMatchObject({
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "content-security-policy": expect.stringContaining("default-src 'none'"),
        "cache-control": "no-store",
      });
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("answers unknown routes with 404 in the error shape, inside and outside the API", async () => {
    expect(expectError(await h.call({ method: "GET", url: "/nowhere" }), 404, "not_found").message).toContain(
      "/nowhere",
    );
    expectError(await h.call({ method: "PATCH", url: "/api/v1/users" }), 404, "not_found");
  });

  it("answers unexpected failures with 500 internal and no internals", async () => {
    const app = await buildApp(h.runtime);
    app.get("/boom", async () => {
      throw new Error("database password is hunter2");
    });
    try {
      const res = await app.inject({ method: "GET", url: "/boom" });
      expectError(res, 500, "internal");
      expect(res.body).not.toContain("hunter2");
      expect(res.body).not.toMatch(/at .*\.ts/);
    } finally {
      await app.close();
    }
  });

  it("keeps metrics per app, so several apps live in one process", async () => {
    const other = await buildApp(h.runtime);
    try {
      await other.inject({ method: "GET", url: "/healthz" });
      const res = await other.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/healthz",status_code="200"\} 1\n/);
    } finally {
      await other.close();
    }
  });
});

describe("metrics behind a token, HSTS on https", () => {
  let h: Harness;
  const metricsToken = "metrics-token-0123456789abcdef";
  beforeAll(async () => {
    h = await openHarness(backends[0]!, { metricsToken, publicUrl: "https://idp.example.com" });
  });
  afterAll(async () => h?.close());

  it("answers /metrics only with the configured bearer token", async () => {
    expectError(await h.call({ method: "GET", url: "/metrics", token: null }), 401, "unauthorized");
    expectError(
      await h.call({ method: "GET", url: "/metrics", token: "wrong-token-of-some-length" }),
      401,
      "unauthorized",
    );
    // An admin API token is not the metrics token.
    expectError(await h.call({ method: "GET", url: "/metrics" }), 401, "unauthorized");
    const ok = await h.call({ method: "GET", url: "/metrics", token: metricsToken });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/process_cpu/);
  });

  it("sends Strict-Transport-Security when the public URL is https, and not otherwise", async () => {
    const res = await h.call({ method: "GET", url: "/healthz", token: null });
    expect(res.headers["strict-transport-security"]).toMatch(/^max-age=\d{7,}/);
    const plain = await openHarness(backends[0]!);
    try {
      const r = await plain.call({ method: "GET", url: "/healthz", token: null });
      expect(r.headers["strict-transport-security"]).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
