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

interface GroupBody {
  id: string;
  source: string;
  externalId: string | null;
  version: number;
  profile: { name: string; description: string | null };
}

describe.each(backends)("groups API on $name", (backend) => {
  let h: Harness;

  const createGroup = async (body: Record<string, unknown>) => {
    const res = await h.call({ method: "POST", url: "/api/v1/groups", body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as GroupBody;
  };
  const createUser = async (login: string) => {
    const res = await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile(login) } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string };
  };

  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => h?.close());

  describe("happy paths", () => {
    it("creates a local group in Okta's shape, with Location and ETag", async () => {
      const res = await h.call({
        method: "POST",
        url: "/api/v1/groups",
        body: { profile: { name: "Engineering", description: "Builders" } },
      });
      expect(res.statusCode).toBe(201);
      const group = res.json() as GroupBody;
      expect(Object.keys(group).sort()).toEqual([
        "created",
        "externalId",
        "id",
        "lastMembershipUpdated",
        "lastUpdated",
        "profile",
        "source",
        "version",
      ]);
      expect(group).toMatchObject({ source: "local", externalId: null, profile: { name: "Engineering" } });
      expect(res.headers.location).toBe(`/api/v1/groups/${group.id}`);
      expect(res.headers.etag).toBe('"1"');
      const read = await h.call({ method: "GET", url: `/api/v1/groups/${group.id}` });
      expect(read.json()).toEqual(group);
    });

    it("allows the same name in another source", async () => {
      const group = await createGroup({
        profile: { name: "Engineering" },
        source: "active_directory",
        externalId: "S-1-5-21-1",
      });
      expect(group).toMatchObject({ source: "active_directory", externalId: "S-1-5-21-1" });
    });

    it("lists with name, source and prefix filters, and pages", async () => {
      for (const name of ["ops-1", "ops-2", "ops-3"]) await createGroup({ profile: { name } });
      const byName = await h.call({ method: "GET", url: "/api/v1/groups?name=Engineering" });
      expect((byName.json() as GroupBody[]).map((g) => g.source).sort()).toEqual(["active_directory", "local"]);
      const bySource = await h.call({ method: "GET", url: "/api/v1/groups?source=active_directory" });
      expect((bySource.json() as GroupBody[]).map((g) => g.profile.name)).toEqual(["Engineering"]);
      const names: string[] = [];
      let url: string | null = "/api/v1/groups?q=ops-&limit=2";
      while (url) {
        const res = await h.call({ method: "GET", url });
        names.push(...(res.json() as GroupBody[]).map((g) => g.profile.name));
        url = nextLink(res);
      }
      expect(names).toEqual(["ops-1", "ops-2", "ops-3"]);
    });

    it("replaces a group with PUT, honouring If-Match, and deletes it", async () => {
      const group = await createGroup({ profile: { name: "to-rename", description: "old" }, externalId: "x-1" });
      const res = await h.call({
        method: "PUT",
        url: `/api/v1/groups/${group.id}`,
        headers: { "if-match": '"1"' },
        body: { profile: { name: "renamed" } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.json()).toMatchObject({ externalId: null, profile: { name: "renamed", description: null } });
      expect((await h.call({ method: "DELETE", url: `/api/v1/groups/${group.id}` })).statusCode).toBe(204);
      expectError(await h.call({ method: "GET", url: `/api/v1/groups/${group.id}` }), 404, "not_found");
    });

    it("adds members idempotently, lists them, and removes them", async () => {
      const group = await createGroup({ profile: { name: "members" } });
      const alice = await createUser("alice");
      await createUser("bob");
      for (const who of [alice.id, alice.id, "bob"]) {
        const res = await h.call({ method: "PUT", url: `/api/v1/groups/${group.id}/users/${who}` });
        expect(res.statusCode).toBe(204);
      }
      const adds = await h.runtime.store.log.list(
        { action: "group.user_membership.add", targetId: group.id },
        { limit: 10 },
      );
      expect(adds.items).toHaveLength(2);

      const first = await h.call({ method: "GET", url: `/api/v1/groups/${group.id}/users?limit=1` });
      expect((first.json() as { profile: { login: string } }[]).map((u) => u.profile.login)).toEqual(["alice"]);
      const second = await h.call({ method: "GET", url: nextLink(first)! });
      expect((second.json() as { profile: { login: string } }[]).map((u) => u.profile.login)).toEqual(["bob"]);
      expect(nextLink(second)).toBeNull();

      expect((await h.call({ method: "DELETE", url: `/api/v1/groups/${group.id}/users/${alice.id}` })).statusCode).toBe(
        204,
      );
      const left = await h.call({ method: "GET", url: `/api/v1/groups/${group.id}/users` });
      expect((left.json() as unknown[]).length).toBe(1);
    });
  });

  describe("bad input: a precise error and nothing written", () => {
    let group: GroupBody;
    let user: { id: string };
    beforeAll(async () => {
      group = await createGroup({ profile: { name: "Finance" } });
      await createGroup({ profile: { name: "Audit" } });
      user = await createUser("not-a-member");
    });

    it("malformed JSON on create and replace", async () => {
      await expectNothingWritten(h, async () => {
        for (const [method, url] of [
          ["POST", "/api/v1/groups"],
          ["PUT", `/api/v1/groups/${group.id}`],
        ] as const) {
          const res = await h.call({
            method,
            url,
            payload: "{'profile': {}}",
            headers: { "content-type": "application/json" },
          });
          expectError(res, 400, "invalid_json");
        }
      });
    });

    it("unknown fields, including a source change on replace", async () => {
      await expectNothingWritten(h, async () => {
        const top = await h.call({
          method: "POST",
          url: "/api/v1/groups",
          body: { profile: { name: "g" }, owner: "me" },
        });
        expect(expectError(top, 400, "validation_failed").details.errors).toEqual([
          { path: "/owner", message: expect.any(String) },
        ]);
        const nested = await h.call({
          method: "POST",
          url: "/api/v1/groups",
          body: { profile: { name: "g", color: "red" } },
        });
        expectError(nested, 400, "validation_failed");
        const source = await h.call({
          method: "PUT",
          url: `/api/v1/groups/${group.id}`,
          body: { profile: { name: "Finance" }, source: "ldap" },
        });
        expect(expectError(source, 400, "validation_failed").details.errors).toEqual([
          { path: "/source", message: expect.any(String) },
        ]);
      });
    });

    it("wrong types, missing names and invalid sources get 400", async () => {
      await expectNothingWritten(h, async () => {
        const numeric = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name: 42 } } });
        expectError(numeric, 400, "validation_failed");
        const missing = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: {} } });
        expectError(missing, 400, "validation_failed");
        const blank = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name: " padded " } } });
        expect(expectError(blank, 400, "validation_failed").details.errors).toEqual([
          { path: "/profile/name", message: expect.any(String) },
        ]);
        const source = await h.call({
          method: "POST",
          url: "/api/v1/groups",
          body: { profile: { name: "g" }, source: "Not A Source" },
        });
        expect(expectError(source, 400, "validation_failed").details.errors).toEqual([
          { path: "/source", message: expect.any(String) },
        ]);
      });
    });

    it("oversize bodies get 413 and wrong content types 415", async () => {
      await expectNothingWritten(h, async () => {
        const big = await h.call({ method: "POST", url: "/api/v1/groups", body: oversize({ profile: { name: "g" } }) });
        expectError(big, 413, "payload_too_large");
        const text = await h.call({
          method: "PUT",
          url: `/api/v1/groups/${group.id}`,
          payload: '{"profile":{"name":"x"}}',
          headers: { "content-type": "text/plain" },
        });
        expectError(text, 415, "unsupported_media_type");
      });
    });

    it("a duplicate name in the same source gets 409, on create and on rename", async () => {
      await expectNothingWritten(h, async () => {
        for (const name of ["Finance", "FINANCE"]) {
          const res = await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name } } });
          expect(expectError(res, 409, "conflict").details).toMatchObject({ field: "/profile/name", source: "local" });
        }
        const audit = (await h.call({ method: "GET", url: "/api/v1/groups?name=Audit" })).json() as GroupBody[];
        const rename = await h.call({
          method: "PUT",
          url: `/api/v1/groups/${audit[0]!.id}`,
          body: { profile: { name: "finance" } },
        });
        expectError(rename, 409, "conflict");
      });
    });

    it("membership to a missing user, or in a missing group, gets 404; removing a non-member too", async () => {
      await expectNothingWritten(h, async () => {
        const ghost = await h.call({ method: "PUT", url: `/api/v1/groups/${group.id}/users/usr_missing` });
        expect(expectError(ghost, 404, "not_found").details).toMatchObject({ kind: "user", id: "usr_missing" });
        const noGroup = await h.call({ method: "PUT", url: `/api/v1/groups/grp_missing/users/${user.id}` });
        expect(expectError(noGroup, 404, "not_found").details).toMatchObject({ kind: "group" });
        const notMember = await h.call({ method: "DELETE", url: `/api/v1/groups/${group.id}/users/${user.id}` });
        expect(expectError(notMember, 404, "not_found").details).toMatchObject({ kind: "membership" });
      });
    });

    it("unknown groups get 404 on every group route", async () => {
      await expectNothingWritten(h, async () => {
        for (const [method, url, body] of [
          ["GET", "/api/v1/groups/grp_missing", undefined],
          ["PUT", "/api/v1/groups/grp_missing", { profile: { name: "x" } }],
          ["DELETE", "/api/v1/groups/grp_missing", undefined],
          ["GET", "/api/v1/groups/grp_missing/users", undefined],
          ["DELETE", `/api/v1/groups/grp_missing/users/${user.id}`, undefined],
        ] as const) {
          expectError(await h.call({ method, url, body }), 404, "not_found");
        }
      });
    });

    it("stale or malformed If-Match gets 412", async () => {
      await expectNothingWritten(h, async () => {
        for (const ifMatch of ['"7"', "v1", '""']) {
          const res = await h.call({
            method: "PUT",
            url: `/api/v1/groups/${group.id}`,
            headers: { "if-match": ifMatch },
            body: { profile: { name: "Finance", description: "never" } },
          });
          expectError(res, 412, "version_mismatch");
        }
      });
    });

    it("bad list queries and cursors get 400, on groups and on members", async () => {
      for (const url of [
        "/api/v1/groups?limit=0",
        "/api/v1/groups?limit=500",
        "/api/v1/groups?after=!!!",
        "/api/v1/groups?filter=x",
        `/api/v1/groups/${group.id}/users?after=!!!`,
        `/api/v1/groups/${group.id}/users?limit=-1`,
        `/api/v1/groups/${group.id}/users?name=x`,
      ]) {
        expectError(await h.call({ method: "GET", url }), 400, "validation_failed");
      }
    });
  });
});
