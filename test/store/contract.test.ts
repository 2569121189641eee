import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { NewUser, Store } from "../../src/store/contract.js";
import { UniqueViolation } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

const at = "2026-01-01T00:00:00.000Z";

function newUser(login: string, extra: Partial<NewUser["profile"]> = {}): NewUser {
  return {
    id: newId("usr"),
    profile: {
      login,
      email: login.includes("@") ? login : `${login}@example.com`,
      firstName: "F",
      lastName: "L",
      displayName: null,
      ...extra,
    },
    status: "ACTIVE",
    passwordHash: null,
    at,
  };
}

describe.each(backends)("store contract on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
  });
  afterAll(async () => cleanup?.());

  it("reports its dialect and answers ping", async () => {
    expect(store.dialect).toBe(backend.name);
    await expect(store.ping()).resolves.toBeUndefined();
    await expect(store.analyze()).resolves.toBeUndefined();
  });

  describe("users", () => {
    it("inserts and reads back a user by id and by login, case-insensitively", async () => {
      const u = await store.users.insert(newUser("Alice.Case@Example.com"));
      expect(u.version).toBe(1);
      expect((await store.users.get(u.id))?.profile.login).toBe("Alice.Case@Example.com");
      expect((await store.users.getByLogin("alice.case@example.COM"))?.id).toBe(u.id);
    });

    it("refuses a second user whose login differs only by case", async () => {
      await store.users.insert(newUser("dup@example.com"));
      await expect(store.users.insert(newUser("DUP@example.com"))).rejects.toEqual(new UniqueViolation("user_login"));
    });

    it("updates with optimistic versioning and refuses a stale version", async () => {
      const u = await store.users.insert(newUser("versioned@example.com"));
      const v2 = await store.users.update(u.id, { status: "SUSPENDED", at: "2026-01-02T00:00:00.000Z" }, 1);
      expect(v2?.version).toBe(2);
      expect(v2?.status).toBe("SUSPENDED");
      expect(v2?.statusChanged).toBe("2026-01-02T00:00:00.000Z");
      expect(await store.users.update(u.id, { status: "ACTIVE", at }, 1)).toBeNull();
      expect((await store.users.get(u.id))?.status).toBe("SUSPENDED");
    });

    it("pages through users with a cursor and filters by status and prefix", async () => {
      for (let i = 0; i < 5; i++) await store.users.insert({ ...newUser(`pager${i}@example.org`), status: "STAGED" });
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.users.list({ status: "STAGED", q: "pager" }, { limit: 2, after });
        seen.push(...page.items.map((u) => u.profile.login));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `pager${i}@example.org`));
      const none = await store.users.list({ q: "pager%" }, { limit: 10 });
      expect(none.items).toHaveLength(0);
    });

    it("locks an account after the configured number of failures, atomically", async () => {
      const u = await store.users.insert(newUser("locky@example.com"));
      const policy = { maxAttempts: 3, lockUntil: "2030-01-01T00:00:00.000Z" };
      expect((await store.users.recordLoginFailure(u.id, policy)).lockedUntil).toBeNull();
      await store.users.recordLoginFailure(u.id, policy);
      const third = await store.users.recordLoginFailure(u.id, policy);
      expect(third).toEqual({ failedLogins: 3, lockedUntil: policy.lockUntil });
      await store.users.recordLoginSuccess(u.id, at);
      expect(await store.users.credentials(u.id)).toMatchObject({ failedLogins: 0, lockedUntil: null });
    });
  });

  describe("groups and memberships", () => {
    it("keeps group names unique per source but allows the same name in two sources", async () => {
      const base = { description: null, externalId: null, at };
      await store.groups.insert({ ...base, id: newId("grp"), name: "aws#prod#Admin#123456789012", source: "local" });
      await store.groups.insert({
        ...base,
        id: newId("grp"),
        name: "aws#prod#Admin#123456789012",
        source: "active_directory",
      });
      await expect(
        store.groups.insert({ ...base, id: newId("grp"), name: "AWS#prod#admin#123456789012", source: "local" }),
      ).rejects.toEqual(new UniqueViolation("group_name"));
      const ad = await store.groups.list({ source: "active_directory" }, { limit: 10 });
      expect(ad.items.map((g) => g.source)).toEqual(["active_directory"]);
    });

    it("refuses a duplicate external id within a source", async () => {
      const base = { description: null, at, source: "ldap" };
      await store.groups.insert({ ...base, id: newId("grp"), name: "g1", externalId: "cn=g,dc=x" });
      await expect(
        store.groups.insert({ ...base, id: newId("grp"), name: "g2", externalId: "cn=g,dc=x" }),
      ).rejects.toEqual(new UniqueViolation("group_external_id"));
    });

    it("adds memberships idempotently and reads a user's groups in one call", async () => {
      const u = await store.users.insert(newUser("member@example.com"));
      const g1 = await store.groups.insert({
        id: newId("grp"),
        name: "m1",
        description: "d",
        source: "local",
        externalId: null,
        at,
      });
      const g2 = await store.groups.insert({
        id: newId("grp"),
        name: "m2",
        description: null,
        source: "csv:hr",
        externalId: null,
        at,
      });
      expect(await store.memberships.add(g1.id, u.id, at)).toBe(true);
      expect(await store.memberships.add(g1.id, u.id, at)).toBe(false);
      await store.memberships.add(g2.id, u.id, at);
      expect((await store.memberships.groupsOfUser(u.id)).map((g) => g.name)).toEqual(["m1", "m2"]);
      expect((await store.memberships.membersOfGroup(g1.id, { limit: 10 })).items.map((x) => x.id)).toEqual([u.id]);
      expect(await store.memberships.remove(g1.id, u.id, at)).toBe(true);
      expect(await store.memberships.has(g1.id, u.id)).toBe(false);
    });

    it("drops memberships when a user or group is deleted", async () => {
      const u = await store.users.insert(newUser("cascade@example.com"));
      const g = await store.groups.insert({
        id: newId("grp"),
        name: "cascade",
        description: null,
        source: "local",
        externalId: null,
        at,
      });
      await store.memberships.add(g.id, u.id, at);
      expect(await store.users.delete(u.id)).toBe(true);
      expect((await store.memberships.membersOfGroup(g.id, { limit: 10 })).items).toHaveLength(0);
    });

    it("resolves import references by login and by (source, name)", async () => {
      const u = await store.users.insert(newUser("Ref.User@example.com"));
      const g = await store.groups.insert({
        id: newId("grp"),
        name: "RefGroup",
        description: null,
        source: "local",
        externalId: null,
        at,
      });
      expect((await store.users.idsByLogin(["ref.user@EXAMPLE.com", "nobody@x"])).get("ref.user@example.com")).toBe(
        u.id,
      );
      const ids = await store.groups.idsByName([
        { source: "local", name: "refgroup" },
        { source: "ldap", name: "RefGroup" },
      ]);
      expect([...ids.values()]).toEqual([g.id]);
    });
  });

  describe("transactions", () => {
    it("rolls back every write when the callback throws", async () => {
      const before = await store.users.count();
      await expect(
        store.transaction(async (tx) => {
          await tx.users.insert(newUser("rollback1@example.com"));
          await tx.users.insert(newUser("rollback2@example.com"));
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.users.count()).toBe(before);
      expect(await store.users.getByLogin("rollback1@example.com")).toBeNull();
    });

    it("rolls back a bulk insert that hits a duplicate half-way", async () => {
      const before = await store.users.count();
      const rows = Array.from({ length: 1200 }, (_, i) => newUser(`bulk${i}@example.com`));
      rows.push(newUser("BULK3@example.com"));
      await expect(store.transaction((tx) => tx.users.insertMany(rows))).rejects.toBeInstanceOf(UniqueViolation);
      expect(await store.users.count()).toBe(before);
    });
  });

  describe("tokens, sessions, admin roles, system log", () => {
    it("finds a token by hash until it is revoked or expired", async () => {
      const t = await store.tokens.insert({
        id: newId("tok"),
        name: "ci",
        prefix: "rbt_abc",
        tokenHash: "h1",
        createdBy: null,
        at,
        expiresAt: null,
      });
      expect((await store.tokens.findActiveByHash("h1", at))?.id).toBe(t.id);
      expect(await store.tokens.revoke(t.id, at)).toBe(true);
      expect(await store.tokens.revoke(t.id, at)).toBe(false);
      expect(await store.tokens.findActiveByHash("h1", at)).toBeNull();
      await store.tokens.insert({
        id: newId("tok"),
        name: "old",
        prefix: "rbt_x",
        tokenHash: "h2",
        createdBy: null,
        at,
        expiresAt: "2026-01-01T00:00:01.000Z",
      });
      expect(await store.tokens.findActiveByHash("h2", "2026-01-01T00:00:02.000Z")).toBeNull();
    });

    it("expires sessions and grants admin roles", async () => {
      const u = await store.users.insert(newUser("sess@example.com"));
      await store.sessions.insert({
        idHash: "s1",
        userId: u.id,
        kind: "admin",
        csrfToken: "c",
        at,
        expiresAt: "2026-01-01T01:00:00.000Z",
      });
      expect((await store.sessions.findActive("s1", "2026-01-01T00:30:00.000Z"))?.userId).toBe(u.id);
      expect(await store.sessions.findActive("s1", "2026-01-01T02:00:00.000Z")).toBeNull();
      expect(await store.sessions.deleteExpired("2026-01-01T02:00:00.000Z")).toBeGreaterThanOrEqual(1);
      await store.admins.grant(u.id, "super_admin", at);
      await store.admins.grant(u.id, "super_admin", at);
      expect(await store.admins.rolesOf(u.id)).toEqual(["super_admin"]);
    });

    it("lists the system log newest first with a cursor and filters", async () => {
      for (let i = 0; i < 3; i++) {
        await store.log.append({
          id: newId("evt"),
          published: at,
          actor: { type: "cli", id: null, display: "cli" },
          action: "test.event",
          target: { type: "user", id: "usr_1", display: `n${i}` },
          outcome: "SUCCESS",
          summary: { i },
          requestId: null,
        });
      }
      const p1 = await store.log.list({ action: "test.event" }, { limit: 2 });
      expect(p1.items.map((e) => e.summary.i)).toEqual([2, 1]);
      const p2 = await store.log.list({ action: "test.event" }, { limit: 2, after: p1.nextCursor ?? undefined });
      expect(p2.items.map((e) => e.summary.i)).toEqual([0]);
      expect(p2.nextCursor).toBeNull();
    });
  });
});
