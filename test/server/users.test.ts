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

interface UserBody {
  id: string;
  status: string;
  version: number;
  passwordChanged: string | null;
  profile: Record<string, string | null>;
}

const USER_KEYS = [
  "created",
  "id",
  "lastLogin",
  "lastUpdated",
  "passwordChanged",
  "profile",
  "status",
  "statusChanged",
  "version",
];

describe.each(backends)("users API on $name", (backend) => {
  let h: Harness;

  const create = async (login: string, query = "", extra: Record<string, unknown> = {}) => {
    const res = await h.call({
      method: "POST",
      url: `/api/v1/users${query}`,
      body: { profile: profile(login), ...extra },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as UserBody;
  };

  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => h?.close());

  describe("happy paths", () => {
    it("creates an ACTIVE user with Location and ETag, and never exposes credentials", async () => {
      const res = await h.call({
        method: "POST",
        url: "/api/v1/users",
        body: { profile: profile("ada"), credentials: { password: { value: "a long enough password" } } },
      });
      expect(res.statusCode).toBe(201);
      const user = res.json() as UserBody;
      expect(Object.keys(user).sort()).toEqual(USER_KEYS);
      expect(user).toMatchObject({ status: "ACTIVE", version: 1, profile: { login: "ada", displayName: null } });
      expect(user.passwordChanged).not.toBeNull();
      expect(res.headers.location).toBe(`/api/v1/users/${user.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).not.toMatch(/argon2|password"/i);
    });

    it("creates a STAGED user with ?activate=false", async () => {
      expect((await create("staged-one", "?activate=false")).status).toBe("STAGED");
    });

    it("reads a user by id and by login", async () => {
      const user = await create("grace");
      const byId = await h.call({ method: "GET", url: `/api/v1/users/${user.id}` });
      expect(byId.statusCode).toBe(200);
      expect(byId.headers.etag).toBe('"1"');
      const byLogin = await h.call({ method: "GET", url: "/api/v1/users/grace" });
      expect((byLogin.json() as UserBody).id).toBe(user.id);
    });

    it("lists with filters and pages through Link rel=next", async () => {
      for (const login of ["page-a", "page-b", "page-c"]) await create(login);
      const byLogin = await h.call({ method: "GET", url: "/api/v1/users?login=page-b" });
      expect((byLogin.json() as UserBody[]).map((u) => u.profile.login)).toEqual(["page-b"]);
      const staged = await h.call({ method: "GET", url: "/api/v1/users?status=STAGED" });
      expect((staged.json() as UserBody[]).every((u) => u.status === "STAGED")).toBe(true);

      const seen: string[] = [];
      let url: string | null = "/api/v1/users?q=page-&limit=2";
      while (url) {
        const res = await h.call({ method: "GET", url });
        expect(res.statusCode).toBe(200);
        expect(res.headers.link).toContain('rel="self"');
        seen.push(...(res.json() as { profile: { login: string } }[]).map((u) => u.profile.login));
        url = nextLink(res);
        if (url) expect(url).toContain("q=page-");
      }
      expect(seen).toEqual(["page-a", "page-b", "page-c"]);
    });

    it("updates some fields with POST and replaces the profile with PUT, honouring If-Match", async () => {
      const user = await create("linus");
      const partial = await h.call({
        method: "POST",
        url: `/api/v1/users/${user.id}`,
        headers: { "if-match": '"1"' },
        body: { profile: { displayName: "Linus T" } },
      });
      expect(partial.statusCode).toBe(200);
      expect(partial.headers.etag).toBe('"2"');
      expect((partial.json() as UserBody).profile).toMatchObject({ firstName: "Ada", displayName: "Linus T" });

      const full = await h.call({
        method: "PUT",
        url: `/api/v1/users/${user.id}`,
        headers: { "if-match": 'W/"2"' },
        body: { profile: { login: "linus", email: "linus@kernel.example" } },
      });
      expect(full.statusCode).toBe(200);
      expect((full.json() as UserBody).profile).toEqual({
        login: "linus",
        email: "linus@kernel.example",
        firstName: null,
        lastName: null,
        displayName: null,
      });
    });

    it("walks the lifecycle and deletes once deprovisioned", async () => {
      const user = await create("walker");
      for (const [action, status] of [
        ["suspend", "SUSPENDED"],
        ["unsuspend", "ACTIVE"],
        ["deactivate", "DEPROVISIONED"],
        ["activate", "ACTIVE"],
        ["deactivate", "DEPROVISIONED"],
      ]) {
        const res = await h.call({ method: "POST", url: `/api/v1/users/${user.id}/lifecycle/${action}` });
        expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
        expect((res.json() as UserBody).status).toBe(status);
      }
      const del = await h.call({ method: "DELETE", url: `/api/v1/users/${user.id}` });
      expect(del.statusCode).toBe(204);
      expect(del.body).toBe("");
      expectError(await h.call({ method: "GET", url: `/api/v1/users/${user.id}` }), 404, "not_found");
    });

    it("refuses with 400 a login or name holding a character XML parsers rewrite", async () => {
      for (const [field, value] of [
        ["login", "nel\u0085@example.com"],
        ["email", "ls\u2028x@example.com"],
        ["displayName", "Para\u2029"],
        ["login", "ctl\u0001@example.com"],
      ] as const) {
        const res = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: { ...profile("xml@example.com"), [field]: value } },
        });
        const body = expectError(res, 400, "validation_failed");
        expect(JSON.stringify(body.details)).toContain(`/profile/${field}`);
      }
    });

    it("unlocks a person throttled by failed sign-ins, and logs it", async () => {
      const user = await create("locked");
      const login = String(user.profile.login);
      for (let i = 0; i < 6; i++) {
        await h.runtime.signIn.signIn("portal", login, "wrong", null, undefined, "192.0.2.1").catch(() => undefined);
      }
      const refused = await h.runtime.signIn
        .signIn("portal", login, "x", null, undefined, "192.0.2.1")
        .catch((e: { code: string }) => e.code);
      expect(refused).toBe("locked_out");
      const lock = await h.call({ method: "GET", url: `/api/v1/users/${user.id}/lifecycle/lock` });
      expect(lock.json()).toMatchObject({ locked: true, everywhere: false, until: expect.any(String) });
      expect(Date.parse(lock.json().until)).toBeGreaterThan(Date.now());
      const res = await h.call({ method: "POST", url: `/api/v1/users/${user.id}/lifecycle/unlock` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ cleared: expect.any(Number) });
      const again = await h.runtime.signIn
        .signIn("portal", login, "wrong", null, undefined, "192.0.2.1")
        .catch((e: { code: string }) => e.code);
      expect(again).toBe("unauthorized");
      const after = await h.call({ method: "GET", url: `/api/v1/users/${user.id}/lifecycle/lock` });
      expect(after.json()).toEqual({ locked: false, until: null, everywhere: false });
      const log = await h.call({ method: "GET", url: "/api/v1/logs?action=user.account.unlock_by_admin" });
      expect(JSON.stringify(log.json())).toContain(user.id);
    });

    it("accepts an empty JSON body on a lifecycle call, as Okta clients send", async () => {
      const user = await create("empty-body");
      const res = await h.call({
        method: "POST",
        url: `/api/v1/users/${user.id}/lifecycle/suspend`,
        payload: "",
        headers: { "content-type": "application/json" },
      });
      expect(res.statusCode).toBe(200);
    });

    it("sets a password and lists a user's groups", async () => {
      const user = await create("pw-user");
      const res = await h.call({
        method: "POST",
        url: `/api/v1/users/${user.id}/credentials/password`,
        body: { password: { value: "new password 123" } },
      });
      expect(res.statusCode).toBe(200);
      expect((res.json() as UserBody).passwordChanged).not.toBeNull();
      const group = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name: "pw-group" } } });
      const groupId = (group.json() as { id: string }).id;
      expect((await h.call({ method: "PUT", url: `/api/v1/groups/${groupId}/users/${user.id}` })).statusCode).toBe(204);
      const groups = await h.call({ method: "GET", url: `/api/v1/users/${user.id}/groups` });
      expect(groups.json()).toMatchObject([{ id: groupId, profile: { name: "pw-group" }, source: "local" }]);
    });
  });

  describe("bad input: a precise error and nothing written", () => {
    let target: UserBody;
    beforeAll(async () => {
      target = await create("bad-input-target");
    });

    it("malformed JSON on create, update and replace", async () => {
      await expectNothingWritten(h, async () => {
        for (const [method, url] of [
          ["POST", "/api/v1/users"],
          ["POST", `/api/v1/users/${target.id}`],
          ["PUT", `/api/v1/users/${target.id}`],
          ["POST", `/api/v1/users/${target.id}/credentials/password`],
        ] as const) {
          const res = await h.call({
            method,
            url,
            payload: '{"profile": {"login": "x",}}',
            headers: { "content-type": "application/json" },
          });
          expectError(res, 400, "invalid_json");
        }
        const poisoned = await h.call({
          method: "POST",
          url: "/api/v1/users",
          payload: `{"profile": ${JSON.stringify(profile("proto"))}, "__proto__": {"isAdmin": true}}`,
          headers: { "content-type": "application/json" },
        });
        expectError(poisoned, 400, "invalid_json");
      });
    });

    it("unknown fields, at the top level and inside the profile", async () => {
      await expectNothingWritten(h, async () => {
        const top = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: profile("u1"), admin: true },
        });
        expect(expectError(top, 400, "validation_failed").details).toEqual({
          in: "body",
          errors: [{ path: "/admin", message: expect.any(String) }],
        });
        const nested = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: profile("u2", { department: "R&D" }) },
        });
        expect(expectError(nested, 400, "validation_failed").details.errors).toEqual([
          { path: "/profile/department", message: expect.any(String) },
        ]);
        const update = await h.call({
          method: "POST",
          url: `/api/v1/users/${target.id}`,
          body: { profile: { nickname: "x" } },
        });
        expectError(update, 400, "validation_failed");
        const creds = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: profile("u3"), credentials: { password: { value: "long enough pw", hash: "x" } } },
        });
        expectError(creds, 400, "validation_failed");
      });
    });

    it("wrong types are refused, not coerced; required fields are required", async () => {
      await expectNothingWritten(h, async () => {
        const numeric = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: { ...profile("u4"), login: 1234 } },
        });
        expect(expectError(numeric, 400, "validation_failed").details.errors).toContainEqual({
          path: "/profile/login",
          message: expect.any(String),
        });
        const missing = await h.call({ method: "POST", url: "/api/v1/users", body: { profile: { login: "u5" } } });
        expectError(missing, 400, "validation_failed");
        const empty = await h.call({ method: "POST", url: `/api/v1/users/${target.id}`, body: { profile: {} } });
        expectError(empty, 400, "validation_failed");
        const array = await h.call({ method: "POST", url: "/api/v1/users", body: [profile("u6")] });
        expectError(array, 400, "validation_failed");
      });
    });

    it("oversize bodies get 413", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({ method: "POST", url: "/api/v1/users", body: oversize({ profile: profile("big") }) });
        expectError(res, 413, "payload_too_large");
        const put = await h.call({
          method: "PUT",
          url: `/api/v1/users/${target.id}`,
          body: oversize({ profile: profile("big") }),
        });
        expectError(put, 413, "payload_too_large");
      });
    });

    it("a wrong content type gets 415", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({
          method: "POST",
          url: "/api/v1/users",
          payload: JSON.stringify({ profile: profile("text") }),
          headers: { "content-type": "text/plain" },
        });
        expectError(res, 415, "unsupported_media_type");
      });
    });

    it("a duplicate login gets 409, whatever its case, on create and on rename", async () => {
      const other = await create("rename-me-later");
      await expectNothingWritten(h, async () => {
        for (const login of ["bad-input-target", "BAD-Input-Target"]) {
          const res = await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile(login) } });
          expect(expectError(res, 409, "conflict").details).toMatchObject({ field: "/profile/login" });
        }
        const rename = await h.call({
          method: "POST",
          url: `/api/v1/users/${other.id}`,
          body: { profile: { login: "bad-input-target" } },
        });
        expectError(rename, 409, "conflict");
      });
    });

    it("an invalid email gets 400 naming the field", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: profile("mailless", { email: "not-an-email" }) },
        });
        expect(expectError(res, 400, "validation_failed").details.errors).toEqual([
          { path: "/profile/email", message: expect.stringContaining("not a valid email") },
        ]);
        const update = await h.call({
          method: "POST",
          url: `/api/v1/users/${target.id}`,
          body: { profile: { email: "two@@example.com" } },
        });
        expectError(update, 400, "validation_failed");
      });
    });

    it("a too-short password gets 400", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({
          method: "POST",
          url: "/api/v1/users",
          body: { profile: profile("shortpw"), credentials: { password: { value: "short" } } },
        });
        expect(expectError(res, 400, "validation_failed").details.errors).toEqual([
          { path: "/credentials/password", message: expect.any(String) },
        ]);
        const set = await h.call({
          method: "POST",
          url: `/api/v1/users/${target.id}/credentials/password`,
          body: { password: { value: "short" } },
        });
        expectError(set, 400, "validation_failed");
      });
    });

    it("illegal lifecycle transitions get 409; deleting a live user too; unknown actions 400", async () => {
      await expectNothingWritten(h, async () => {
        const res = await h.call({ method: "POST", url: `/api/v1/users/${target.id}/lifecycle/unsuspend` });
        expect(expectError(res, 409, "illegal_transition").details).toMatchObject({
          status: "ACTIVE",
          action: "unsuspend",
        });
        const activate = await h.call({ method: "POST", url: `/api/v1/users/${target.id}/lifecycle/activate` });
        expectError(activate, 409, "illegal_transition");
        expectError(await h.call({ method: "DELETE", url: `/api/v1/users/${target.id}` }), 409, "illegal_transition");
        const bogus = await h.call({ method: "POST", url: `/api/v1/users/${target.id}/lifecycle/promote` });
        expectError(bogus, 400, "validation_failed");
      });
    });

    it("stale or malformed If-Match gets 412", async () => {
      await expectNothingWritten(h, async () => {
        for (const ifMatch of ['"99"', "3", '"abc"', "W/1"]) {
          const res = await h.call({
            method: "POST",
            url: `/api/v1/users/${target.id}`,
            headers: { "if-match": ifMatch },
            body: { profile: { displayName: "never" } },
          });
          expectError(res, 412, "version_mismatch");
        }
        const lifecycle = await h.call({
          method: "POST",
          url: `/api/v1/users/${target.id}/lifecycle/suspend`,
          headers: { "if-match": '"42"' },
        });
        expect(expectError(lifecycle, 412, "version_mismatch").details).toMatchObject({ expected: 42, current: 1 });
      });
    });

    it("unknown users get 404 on every user route", async () => {
      await expectNothingWritten(h, async () => {
        const id = "usr_00000000000000000000000000";
        for (const [method, url, body] of [
          ["GET", `/api/v1/users/${id}`, undefined],
          ["POST", `/api/v1/users/${id}`, { profile: { displayName: "x" } }],
          ["PUT", `/api/v1/users/${id}`, { profile: profile("ghost") }],
          ["POST", `/api/v1/users/${id}/lifecycle/suspend`, undefined],
          ["POST", `/api/v1/users/${id}/credentials/password`, { password: { value: "long enough pw" } }],
          ["DELETE", `/api/v1/users/${id}`, undefined],
          ["GET", `/api/v1/users/${id}/groups`, undefined],
        ] as const) {
          const res = await h.call({ method, url, body });
          expect(expectError(res, 404, "not_found").details).toMatchObject({ kind: "user", id });
        }
      });
    });

    it("bad list queries and cursors get 400", async () => {
      for (const query of ["limit=0", "limit=201", "limit=ten", "status=ZOMBIE", "sort=login", "after=!!!", "q="]) {
        const res = await h.call({ method: "GET", url: `/api/v1/users?${query}` });
        expectError(res, 400, "validation_failed");
      }
      const cursor = await h.call({ method: "GET", url: "/api/v1/users?after=!!!" });
      expect(expectError(cursor, 400, "validation_failed").details).toMatchObject({ errors: [{ path: "/after" }] });
    });
  });
});
