import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/core/apps/model.js";
import { cliActor } from "../../src/core/audit.js";
import { sha256Hex } from "../../src/core/crypto/tokens.js";
import type { User } from "../../src/core/directory/model.js";
import type { Runtime } from "../../src/runtime.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

/**
 * The one-statement reads of the sign-in paths (issue 15) answer exactly what the separate reads they replace
 * answer, on both backends: same groups in the same order, same assignments, same key, same user.
 */
describe.each(backends)("one-statement sign-in reads on $name", (backend) => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let aws: App;
  let other: App;
  let alice: User;
  let bob: User;
  const actor = cliActor();

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend));
    const { users, groups } = runtime.directory;
    const person = (login: string) => ({
      profile: { login, email: login, firstName: null, lastName: null, displayName: null },
      password: "a-password-1234",
    });
    alice = await users.create(actor, person("alice@example.com"));
    bob = await users.create(actor, person("bob@example.com"));
    const settings = { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rb" };
    aws = await runtime.apps.create(actor, { slug: "aws-a", type: "aws-account-federation", label: "A", settings });
    other = await runtime.apps.create(actor, { slug: "aws-b", type: "aws-account-federation", label: "B", settings });
    // Groups in an order unlike their ids' order; one assigned to both apps, one to the other app, one to none.
    for (const [i, name] of ["zeta", "alpha", "mid", "none"].entries()) {
      const g = await groups.create(actor, { name: `aws#p#${name}#222233334444`, source: "active_directory" });
      await groups.addMember(actor, g.id, alice.id);
      if (i === 0 || i === 1) await runtime.apps.assign(actor, aws.id, "group", g.id, {});
      if (i === 0 || i === 2) await runtime.apps.assign(actor, other.id, "group", g.id, {});
    }
    await runtime.apps.assign(actor, aws.id, "user", alice.id, {});
    await runtime.apps.assign(actor, other.id, "user", bob.id, {});
    await runtime.signingKeys.create(actor, aws, "active");
    await runtime.signingKeys.create(actor, aws, "next");
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it("groups and assignments in one statement equal the two reads", async () => {
    const { store } = runtime;
    for (const [app, user] of [
      [aws, alice],
      [other, alice],
      [aws, bob],
      [other, bob],
    ] as const) {
      const groups = await store.memberships.groupsOfUser(user.id);
      const assignments = await store.assignments.forUser(
        app.id,
        user.id,
        groups.map((g) => g.id),
      );
      const both = await store.assignments.withGroupsOfUser(app.id, user.id);
      expect(both.groups).toEqual(groups);
      expect(both.assignments).toEqual(assignments);
    }
    const aliceOnAws = await store.assignments.withGroupsOfUser(aws.id, alice.id);
    expect(aliceOnAws.groups).toHaveLength(4);
    expect(aliceOnAws.assignments.map((a) => a.principalType)).toEqual(["group", "group", "user"]);
  });

  it("the app and its active key in one statement equal the separate reads", async () => {
    const { store } = runtime;
    const found = await store.apps.getBySlugWithActiveKey("aws-a");
    expect(found?.app).toEqual(await store.apps.getBySlug("aws-a"));
    const keys = await store.signingKeys.listForApp(aws.id);
    expect(keys).toHaveLength(2);
    expect(found?.activeKey).toEqual(keys.find((k) => k.state === "active"));
    // An app without keys comes with none; a slug that does not exist, with nothing.
    expect((await store.apps.getBySlugWithActiveKey("aws-b"))?.activeKey).toBeNull();
    expect(await store.apps.getBySlugWithActiveKey("nope")).toBeNull();
    // After a rotation the statement sees the new active key at once.
    const next = keys.find((k) => k.state === "next");
    await runtime.signingKeys.activateNext(actor, aws);
    expect((await store.apps.getBySlugWithActiveKey("aws-a"))?.activeKey?.id).toBe(next?.id);
  });

  it("the session and its user in one statement, only while the session lasts", async () => {
    const { store } = runtime;
    const { sessionId } = await runtime.signIn.signIn("portal", "alice@example.com", "a-password-1234");
    const now = new Date().toISOString();
    const found = await store.sessions.findActiveWithUser(sha256Hex(sessionId), now);
    expect(found?.session).toEqual(await store.sessions.findActive(sha256Hex(sessionId), now));
    expect(found?.user).toEqual(await store.users.get(alice.id));
    const later = new Date(Date.now() + 400 * 24 * 3600_000).toISOString();
    expect(await store.sessions.findActiveWithUser(sha256Hex(sessionId), later)).toBeNull();
    expect(await store.sessions.findActiveWithUser(sha256Hex("not-a-session"), now)).toBeNull();
  });

  it("the user and their credentials from one row equal the two reads", async () => {
    const { store } = runtime;
    const found = await store.users.getByLoginWithCredentials("ALICE@example.com");
    expect(found?.user).toEqual(await store.users.getByLogin("alice@example.com"));
    expect(found?.credentials).toEqual(await store.users.credentials(alice.id));
    expect(found?.credentials.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await store.users.getByLoginWithCredentials("nobody@example.com")).toBeNull();
  });

  it("counts several throttle keys in one statement as one reserve each would", async () => {
    const repo = runtime.store.signInThrottle;
    const t0 = "2030-01-01T00:00:00.000Z";
    const t1 = "2030-01-01T00:01:00.000Z";
    const entries = [
      { key: "test:a", loginKey: "a" },
      { key: "test:b", loginKey: null },
    ];
    const first = await repo.reserveAll(entries, t0, "2029-12-31T23:00:00.000Z");
    expect(first.get("test:a")).toEqual({ attempts: 1, windowStart: t0 });
    expect(first.get("test:b")).toEqual({ attempts: 1, windowStart: t0 });
    await repo.reserve("test:a", "a", t1, "2029-12-31T23:00:00.000Z");
    const second = await repo.reserveAll(entries, t1, "2029-12-31T23:00:00.000Z");
    expect(second.get("test:a")).toEqual({ attempts: 3, windowStart: t0 });
    expect(second.get("test:b")).toEqual({ attempts: 2, windowStart: t0 });
    // A window that ended starts over.
    const third = await repo.reserveAll(entries, t1, t0);
    expect(third.get("test:a")).toEqual({ attempts: 1, windowStart: t1 });
  });
});
