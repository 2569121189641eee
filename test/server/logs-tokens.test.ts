import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import {
  expectError,
  expectNothingWritten,
  type Harness,
  nextLink,
  openHarness,
  oversize,
  profile,
} from "./harness.js";

interface LogBody {
  id: string;
  published: string;
  actor: { type: string; id: string | null; display: string };
  action: string;
  target: { type: string; id: string | null; display: string } | null;
  outcome: string;
  summary: Record<string, unknown>;
  requestId: string | null;
}

describe.each(backends)("system log and API tokens on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => h?.close());

  const latest = async (query = "") => {
    const res = await h.call({ method: "GET", url: `/api/v1/logs?limit=1${query}` });
    expect(res.statusCode).toBe(200);
    return (res.json() as LogBody[])[0]!;
  };

  describe("system log", () => {
    it("records each change with actor, action, target, summary and the request id", async () => {
      const created = await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile("logged") } });
      const user = created.json() as { id: string };
      const event = await latest();
      expect(event).toMatchObject({
        actor: { type: "token", display: "token:tests" },
        action: "user.lifecycle.create",
        target: { type: "user", id: user.id, display: "logged" },
        outcome: "SUCCESS",
        summary: { after: { status: "ACTIVE", profile: { login: "logged" } } },
        requestId: created.headers["x-request-id"],
      });

      await h.call({ method: "POST", url: `/api/v1/users/${user.id}`, body: { profile: { firstName: "Grace" } } });
      expect(await latest()).toMatchObject({
        action: "user.account.update_profile",
        summary: { before: { firstName: "Ada" }, after: { firstName: "Grace" } },
      });

      await h.call({ method: "POST", url: `/api/v1/users/${user.id}/lifecycle/suspend` });
      expect(await latest()).toMatchObject({
        action: "user.lifecycle.suspend",
        summary: { before: { status: "ACTIVE" }, after: { status: "SUSPENDED" } },
      });

      const group = (
        await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name: "logged-group" } } })
      ).json() as { id: string };
      expect(await latest()).toMatchObject({
        action: "group.lifecycle.create",
        target: { type: "group", id: group.id, display: "local/logged-group" },
      });
      await h.call({ method: "PUT", url: `/api/v1/groups/${group.id}/users/${user.id}` });
      expect(await latest()).toMatchObject({
        action: "group.user_membership.add",
        summary: { user: { id: user.id, login: "logged" } },
      });
      await h.call({ method: "DELETE", url: `/api/v1/groups/${group.id}/users/${user.id}` });
      expect((await latest()).action).toBe("group.user_membership.remove");
      await h.call({ method: "DELETE", url: `/api/v1/groups/${group.id}` });
      expect((await latest()).action).toBe("group.lifecycle.delete");

      const token = (await h.call({ method: "POST", url: "/api/v1/api-tokens", body: { name: "ci" } })).json() as {
        id: string;
      };
      const tokenEvent = await latest();
      expect(tokenEvent).toMatchObject({ action: "system.api_token.create", target: { id: token.id, display: "ci" } });
      expect(JSON.stringify(tokenEvent)).not.toContain("rbt_");
      await h.call({ method: "DELETE", url: `/api/v1/api-tokens/${token.id}` });
      expect((await latest()).action).toBe("system.api_token.revoke");
    });

    it("filters by action, target and since, newest first, and pages", async () => {
      const all = (await h.call({ method: "GET", url: "/api/v1/logs" })).json() as LogBody[];
      const published = all.map((e) => e.published);
      expect([...published].sort().reverse()).toEqual(published);

      const creates = (await h.call({ method: "GET", url: "/api/v1/logs?action=user.lifecycle.create" })).json();
      expect((creates as LogBody[]).every((e) => e.action === "user.lifecycle.create")).toBe(true);

      const someTarget = all.find((e) => e.target?.id)!.target!.id!;
      const byTarget = (await h.call({ method: "GET", url: `/api/v1/logs?target=${someTarget}` })).json() as LogBody[];
      expect(byTarget.length).toBeGreaterThan(0);
      expect(byTarget.every((e) => e.target?.id === someTarget)).toBe(true);

      const future = await h.call({ method: "GET", url: "/api/v1/logs?since=2999-01-01T00:00:00Z" });
      expect(future.json()).toEqual([]);
      const offset = await h.call({ method: "GET", url: "/api/v1/logs?since=2000-01-01T02:00:00%2B02:00" });
      expect((offset.json() as LogBody[]).length).toBe(all.length);

      const ids: string[] = [];
      let url: string | null = "/api/v1/logs?limit=3";
      while (url) {
        const res = await h.call({ method: "GET", url });
        ids.push(...(res.json() as LogBody[]).map((e) => e.id));
        url = nextLink(res);
      }
      expect(ids).toEqual(all.map((e) => e.id));
    });

    it("refuses bad queries with 400 and writes nothing", async () => {
      await expectNothingWritten(h, async () => {
        for (const query of [
          "limit=0",
          "limit=1001",
          "since=yesterday",
          "since=2026-13-45T00:00:00Z",
          "after=!!!",
          "actor=x",
        ]) {
          expectError(await h.call({ method: "GET", url: `/api/v1/logs?${query}` }), 400, "validation_failed");
        }
      });
    });
  });

  describe("API tokens", () => {
    it("creates a token whose secret is shown once, lists without secrets, and revokes", async () => {
      const res = await h.call({
        method: "POST",
        url: "/api/v1/api-tokens",
        body: { name: "deploy", expiresInDays: 30 },
      });
      expect(res.statusCode).toBe(201);
      const token = res.json() as { id: string; secret: string; prefix: string; expiresAt: string };
      expect(token.secret).toMatch(/^rbt_/);
      expect(token.secret.startsWith(token.prefix)).toBe(true);
      expect(res.headers.location).toBe(`/api/v1/api-tokens/${token.id}`);
      expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now());

      const list = await h.call({ method: "GET", url: "/api/v1/api-tokens" });
      expect(list.body).not.toContain(token.secret);
      const listed = (list.json() as Record<string, unknown>[]).find((t) => t.id === token.id)!;
      expect(Object.keys(listed).sort()).toEqual([
        "created",
        "createdBy",
        "expiresAt",
        "id",
        "lastUsed",
        "name",
        "prefix",
        "revokedAt",
      ]);

      expect((await h.call({ method: "GET", url: "/api/v1/users", token: token.secret })).statusCode).toBe(200);
      expect((await h.call({ method: "DELETE", url: `/api/v1/api-tokens/${token.id}` })).statusCode).toBe(204);
      const after = (await h.call({ method: "GET", url: "/api/v1/api-tokens" })).json() as {
        id: string;
        revokedAt: string;
      }[];
      expect(after.find((t) => t.id === token.id)?.revokedAt).toBeTruthy();

      await expectNothingWritten(h, async () => {
        const again = await h.call({ method: "DELETE", url: `/api/v1/api-tokens/${token.id}` });
        expectError(again, 409, "conflict");
      });
    });

    it("refuses bad token input precisely and writes nothing", async () => {
      await expectNothingWritten(h, async () => {
        const json = await h.call({
          method: "POST",
          url: "/api/v1/api-tokens",
          payload: '{"name":',
          headers: { "content-type": "application/json" },
        });
        expectError(json, 400, "invalid_json");
        const unknown = await h.call({
          method: "POST",
          url: "/api/v1/api-tokens",
          body: { name: "x", scopes: ["all"] },
        });
        expect(expectError(unknown, 400, "validation_failed").details.errors).toEqual([
          { path: "/scopes", message: expect.any(String) },
        ]);
        const blank = await h.call({ method: "POST", url: "/api/v1/api-tokens", body: { name: "   " } });
        expect(expectError(blank, 400, "validation_failed").details.errors).toEqual([
          { path: "/name", message: expect.any(String) },
        ]);
        for (const expiresInDays of [0, "30", 1.5]) {
          const res = await h.call({ method: "POST", url: "/api/v1/api-tokens", body: { name: "x", expiresInDays } });
          expectError(res, 400, "validation_failed");
        }
        const big = await h.call({ method: "POST", url: "/api/v1/api-tokens", body: oversize({ name: "x" }) });
        expectError(big, 413, "payload_too_large");
        const form = await h.call({
          method: "POST",
          url: "/api/v1/api-tokens",
          payload: "name=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expectError(form, 415, "unsupported_media_type");
        const missing = await h.call({ method: "DELETE", url: "/api/v1/api-tokens/tok_missing" });
        expectError(missing, 404, "not_found");
      });
    });
  });
});
