import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../../src/core/audit.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const profile = (login: string) => ({
  login,
  email: `${login}@example.com`,
  firstName: "A",
  lastName: "B",
  displayName: null,
});

async function expectDomainError(p: Promise<unknown>, code: string): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  return err as DomainError;
}

describe.each(backends)("directory services on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    dir = directory(store);
  });
  afterAll(async () => cleanup?.());

  const logCount = async () => (await store.log.list({}, { limit: 10_000 })).items.length;

  it("creates a user and records it in the system log with the actor", async () => {
    const u = await dir.users.create(actor, { profile: profile("created") });
    expect(u.status).toBe("ACTIVE");
    const [event] = (await store.log.list({ targetId: u.id }, { limit: 5 })).items;
    expect(event).toMatchObject({ action: "user.lifecycle.create", actor: { display: "test" }, outcome: "SUCCESS" });
    expect(JSON.stringify(event?.summary)).not.toContain("$argon2");
  });

  it("refuses an invalid email and a duplicate login, writing nothing", async () => {
    await dir.users.create(actor, { profile: profile("taken") });
    const [users, logs] = [await store.users.count(), await logCount()];
    const bad = await expectDomainError(
      dir.users.create(actor, { profile: { ...profile("newbie"), email: "not-an-email" } }),
      "validation_failed",
    );
    expect(bad.details.errors).toEqual([
      { path: "/profile/email", message: '"not-an-email" is not a valid email address' },
    ]);
    await expectDomainError(dir.users.create(actor, { profile: profile("TAKEN") }), "conflict");
    expect([await store.users.count(), await logCount()]).toEqual([users, logs]);
  });

  it("walks the lifecycle and refuses illegal transitions", async () => {
    const u = await dir.users.create(actor, { profile: profile("cycler"), status: "STAGED" });
    await expectDomainError(dir.users.transition(actor, u.id, "suspend"), "illegal_transition");
    await dir.users.transition(actor, u.id, "activate");
    await dir.users.transition(actor, u.id, "suspend");
    await expectDomainError(dir.users.delete(actor, u.id), "illegal_transition");
    await dir.users.transition(actor, u.id, "deactivate");
    await dir.users.delete(actor, u.id);
    await expectDomainError(dir.users.get(u.id), "not_found");
  });

  it("refuses a stale version and keeps the row as it was", async () => {
    const u = await dir.users.create(actor, { profile: profile("stale") });
    await dir.users.updateProfile(actor, u.id, { firstName: "New" }, 1);
    await expectDomainError(dir.users.updateProfile(actor, u.id, { firstName: "Lost" }, 1), "version_mismatch");
    expect((await dir.users.get(u.id)).profile.firstName).toBe("New");
  });

  it("renaming a login onto another user's login is a conflict", async () => {
    const a = await dir.users.create(actor, { profile: profile("rename-a") });
    await dir.users.create(actor, { profile: profile("rename-b") });
    const err = await expectDomainError(dir.users.updateProfile(actor, a.id, { login: "RENAME-B" }), "conflict");
    expect(err.message).toContain("RENAME-B");
  });

  it("manages groups per source and memberships, refusing a membership to a missing user", async () => {
    const g = await dir.groups.create(actor, { name: "aws#prod#Admin#111122223333", source: "active_directory" });
    await expectDomainError(
      dir.groups.create(actor, { name: "AWS#prod#admin#111122223333", source: "active_directory" }),
      "conflict",
    );
    await expectDomainError(dir.groups.create(actor, { name: "x", source: "Not A Source" }), "validation_failed");
    const u = await dir.users.create(actor, { profile: profile("grouped") });
    expect(await dir.groups.addMember(actor, g.id, u.id)).toEqual({ added: true });
    expect(await dir.groups.addMember(actor, g.id, "grouped")).toEqual({ added: false });
    expect((await dir.users.groups(u.id)).map((x) => x.name)).toEqual(["aws#prod#Admin#111122223333"]);
    const logs = await logCount();
    await expectDomainError(dir.groups.addMember(actor, g.id, "usr_missing"), "not_found");
    await expectDomainError(dir.groups.removeMember(actor, g.id, "taken"), "not_found");
    expect(await logCount()).toBe(logs);
    await dir.groups.removeMember(actor, g.id, u.id);
    expect(await dir.users.groups(u.id)).toEqual([]);
  });

  it("suspending a user ends their sessions", async () => {
    const u = await dir.users.create(actor, { profile: profile("sessioned") });
    await store.sessions.insert({
      idHash: `h-${u.id}`,
      userId: u.id,
      kind: "portal",
      csrfToken: "c",
      at: "2026-01-01T00:00:00.000Z",
      expiresAt: "2099-01-01T00:00:00.000Z",
    });
    await dir.users.transition(actor, u.id, "suspend");
    expect(await store.sessions.findActive(`h-${u.id}`, "2026-06-01T00:00:00.000Z")).toBeNull();
  });
});
