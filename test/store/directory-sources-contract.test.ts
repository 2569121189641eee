import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import { settingsOf } from "../../src/core/sources/settings.js";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();
const settings = settingsOf(
  {
    name: "corp_ldap",
    url: "ldap://127.0.0.1:389",
    bindDn: "cn=reader,dc=example,dc=com",
    bindPassword: "x",
    peopleBase: "ou=people,dc=example,dc=com",
    groupsBase: "ou=groups,dc=example,dc=com",
  },
  false,
);

describe.each(backends)("directory sources store contract on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const ids = { source: newId("dsrc"), u1: newId("usr"), u2: newId("usr"), g: newId("grp") };
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    for (const [id, login] of [
      [ids.u1, "ann"],
      [ids.u2, "bob"],
    ] as const) {
      await store.users.insert({
        id,
        profile: { login, email: `${login}@example.com`, firstName: null, lastName: null, displayName: null },
        status: "ACTIVE",
        passwordHash: null,
        at: t(0),
      });
    }
    await store.groups.insert({
      id: ids.g,
      name: "eng",
      description: null,
      source: "corp_ldap",
      externalId: "g-1",
      at: t(0),
    });
  });
  afterAll(async () => cleanup?.());

  it("stores a source with its settings and sealed password; names are unique", async () => {
    const row = await store.directorySources.insert({
      id: ids.source,
      name: "corp_ldap",
      type: "ldap",
      settings,
      bindPasswordSealed: "sealed",
      at: t(0),
    });
    expect(row).toMatchObject({ name: "corp_ldap", version: 1, cursor: null, lastSync: null, lastFullSync: null });
    expect((await store.directorySources.getByName("corp_ldap"))?.settings).toEqual(settings);
    await expect(
      store.directorySources.insert({
        id: newId("dsrc"),
        name: "corp_ldap",
        type: "ldap",
        settings,
        bindPasswordSealed: "s",
        at: t(0),
      }),
    ).rejects.toThrow();
    const updated = await store.directorySources.update(ids.source, { ...settings, pageSize: 100 }, null, t(1));
    expect(updated).toMatchObject({ version: 2, bindPasswordSealed: "sealed", settings: { pageSize: 100 } });
  });

  it("records syncs: a success moves the cursor and the last full sync, a failure neither", async () => {
    const counts = null;
    await store.directorySources.recordSync(
      ids.source,
      { at: t(2), kind: "full", status: "succeeded", error: null, counts },
      "20260301000200Z",
    );
    await store.directorySources.recordSync(
      ids.source,
      { at: t(3), kind: "incremental", status: "failed", error: "down", counts },
      null,
    );
    expect(await store.directorySources.get(ids.source)).toMatchObject({
      cursor: "20260301000200Z",
      lastFullSync: t(2),
      lastSync: { at: t(3), kind: "incremental", status: "failed", error: "down" },
    });
  });

  it("leases a sync to one caller until it is released or expires; a due condition is checked in the same write", async () => {
    expect(await store.directorySources.claim(ids.source, t(10), t(40))).toBe(true);
    expect(await store.directorySources.claim(ids.source, t(11), t(41))).toBe(false);
    expect(await store.directorySources.claim(ids.source, t(40), t(70))).toBe(true);
    await store.directorySources.release(ids.source);
    // Last sync at t(3): not due when the caller wants one older than t(3)…
    expect(await store.directorySources.claim(ids.source, t(50), t(80), { syncedBefore: t(3) })).toBe(false);
    // …nor for a full sync when the last full one (t(2)) is recent enough.
    expect(
      await store.directorySources.claim(ids.source, t(50), t(80), { syncedBefore: t(4), fullSyncedBefore: t(1) }),
    ).toBe(false);
    expect(
      await store.directorySources.claim(ids.source, t(50), t(80), { syncedBefore: t(4), fullSyncedBefore: t(5) }),
    ).toBe(true);
    await store.directorySources.release(ids.source);
  });

  it("links entries to people and groups, finds them by DN, and mirrors memberships", async () => {
    await store.directorySources.upsertEntries(ids.source, [
      { kind: "person", externalId: "p-1", objectId: ids.u1, dn: "uid=ann,ou=people", dnKey: "uid=ann,ou=people" },
      { kind: "person", externalId: "p-2", objectId: ids.u2, dn: "uid=bob,ou=people", dnKey: "uid=bob,ou=people" },
      { kind: "group", externalId: "g-1", objectId: ids.g, dn: "cn=eng,ou=groups", dnKey: "cn=eng,ou=groups" },
    ]);
    // A move in the directory: same external id, new DN.
    await store.directorySources.upsertEntries(ids.source, [
      { kind: "person", externalId: "p-2", objectId: ids.u2, dn: "uid=bob,ou=moved", dnKey: "uid=bob,ou=moved" },
    ]);
    expect(
      (await store.directorySources.linkedPeople(ids.source)).map((p) => [p.externalId, p.dn, p.profile.login]),
    ).toEqual(
      expect.arrayContaining([
        ["p-1", "uid=ann,ou=people", "ann"],
        ["p-2", "uid=bob,ou=moved", "bob"],
      ]),
    );
    expect(await store.directorySources.linkedPeople(ids.source, ["p-2"])).toHaveLength(1);
    expect(await store.directorySources.countActivePeople(ids.source)).toBe(2);
    expect((await store.directorySources.linkedGroups(ids.source)).map((g) => g.name)).toEqual(["eng"]);
    expect(
      (await store.directorySources.entriesByDn(ids.source, ["uid=bob,ou=moved", "uid=nobody"])).map(
        (e) => e.externalId,
      ),
    ).toEqual(["p-2"]);
    expect(await store.directorySources.sourceOfPerson(ids.u2)).toEqual({
      sourceId: ids.source,
      dn: "uid=bob,ou=moved",
    });

    await store.memberships.addMany([
      { groupId: ids.g, userId: ids.u1, created: t(5) },
      { groupId: ids.g, userId: ids.u2, created: t(5) },
    ]);
    expect(await store.directorySources.memberPairs([ids.g])).toHaveLength(2);
    expect(await store.directorySources.removeMemberships([{ groupId: ids.g, userId: ids.u1 }], t(6))).toBe(1);
    expect(await store.directorySources.memberPairs([ids.g])).toEqual([{ groupId: ids.g, userId: ids.u2 }]);
    expect((await store.groups.get(ids.g))?.lastMembershipUpdated).toBe(t(6));

    await store.directorySources.deleteEntries(ids.source, "group", ["g-1"]);
    expect(await store.directorySources.linkedGroups(ids.source)).toEqual([]);
    expect(await store.directorySources.delete(ids.source)).toBe(true);
    expect(await store.directorySources.linkedPeople(ids.source)).toEqual([]);
    // The people stay.
    expect(await store.users.get(ids.u1)).not.toBeNull();
  });
});
