import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { NewUser, Store } from "../../src/store/contract.js";
import { UniqueViolation } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

/**
 * The many-row writes a directory sync makes inside its transaction (on SQLite they are bound to prepared
 * statements of a fixed number of rows, with a shorter last statement): every row lands with every field, rows
 * that already exist are skipped and not counted, upserts update, and a failure rolls everything back.
 */
const at = "2026-03-01T00:00:00.000Z";
const person = (i: number, tag: string): NewUser => ({
  id: newId("usr"),
  profile: {
    login: `${tag}${i}@example.com`,
    email: `${tag}${i}@example.com`,
    firstName: i % 2 ? `First${i}` : null,
    lastName: `Last${i}`,
    displayName: null,
  },
  status: i % 3 ? "ACTIVE" : "SUSPENDED",
  passwordHash: null,
  at,
});

describe.each(backends)("bulk writes in a transaction on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => cleanup?.());

  it("inserts people, memberships and source entries of any count, skipping memberships that exist", async () => {
    // 131 people: two full statements of 64 rows and a shorter one on SQLite.
    const people = Array.from({ length: 131 }, (_, i) => person(i, "bulk"));
    const groups = Array.from({ length: 7 }, (_, g) => ({
      id: newId("grp"),
      name: `bulk-${g}`,
      description: null,
      source: "corp",
      externalId: `g-${g}`,
      at,
    }));
    const sourceId = newId("dsrc");
    await store.directorySources.insert({
      id: sourceId,
      name: "corp",
      type: "ldap",
      settings: {} as never,
      bindPasswordSealed: "sealed",
      at,
    });
    await store.groups.insertMany(groups);
    const pairs = people.flatMap((p, i) => groups.filter((_, g) => (i + g) % 3 !== 0).map((g) => [g.id, p.id]));
    const already = pairs.slice(0, 17);

    const added = await store.transaction(async (tx) => {
      await tx.users.insertMany(people);
      await tx.memberships.addMany(
        already.map(([groupId, userId]) => ({ groupId: groupId as string, userId: userId as string, created: at })),
      );
      await tx.directorySources.upsertEntries(
        sourceId,
        people.map((p, i) => ({
          kind: "person",
          externalId: `p-${i}`,
          objectId: p.id,
          dn: `uid=${i}`,
          dnKey: `uid=${i}`,
        })),
      );
      // A move: the same external ids again with new DNs.
      await tx.directorySources.upsertEntries(
        sourceId,
        people.slice(0, 70).map((p, i) => ({
          kind: "person",
          externalId: `p-${i}`,
          objectId: p.id,
          dn: `uid=${i},ou=moved`,
          dnKey: `uid=${i},ou=moved`,
        })),
      );
      return tx.memberships.addMany(
        pairs.map(([groupId, userId]) => ({ groupId: groupId as string, userId: userId as string, created: at })),
      );
    });

    expect(added).toBe(pairs.length - already.length);
    expect(await store.memberships.count()).toBe(pairs.length);
    const sample = people[100] as NewUser;
    const stored = await store.users.get(sample.id);
    expect(stored).toMatchObject({ id: sample.id, profile: sample.profile, status: sample.status });
    expect(await store.users.count()).toBe(people.length);
    const linked = await store.directorySources.linkedPeople(sourceId);
    expect(linked).toHaveLength(people.length);
    expect(linked.find((e) => e.externalId === "p-3")?.dn).toBe("uid=3,ou=moved");
    expect(linked.find((e) => e.externalId === "p-100")?.dn).toBe("uid=100");
  });

  it("rolls back every bulk write when a later one fails", async () => {
    const before = { users: await store.users.count(), memberships: await store.memberships.count() };
    const people = Array.from({ length: 90 }, (_, i) => person(i, "rollback"));
    const group = (await store.groups.list({}, { limit: 1 })).items[0];
    await expect(
      store.transaction(async (tx) => {
        await tx.users.insertMany(people);
        await tx.memberships.addMany(people.map((p) => ({ groupId: group?.id as string, userId: p.id, created: at })));
        // One login taken by someone else, in the last (shorter) statement.
        await tx.users.insertMany([person(0, "bulk")]);
      }),
    ).rejects.toBeInstanceOf(UniqueViolation);
    expect(await store.users.count()).toBe(before.users);
    expect(await store.memberships.count()).toBe(before.memberships);
  });
});
