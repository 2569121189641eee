import { describe, expect, it } from "vitest";
import { groupById, groupByName, userById, userByName } from "../../../src/sandbox/identity-center/lookup.js";
import type { IdentityCenterInstance, ScimUser } from "../../../src/sandbox/identity-center/model.js";

const user = (id: string, userName: string): ScimUser => ({
  id,
  created: "t",
  lastModified: "t",
  attributes: { userName },
});

const instance = (tenantId: string, users: ScimUser[]) =>
  ({ tenantId, users, groups: [] }) as unknown as IdentityCenterInstance;

/** A seeded LCG so a failure repeats. */
function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

describe("sandbox Identity Center look-up index", () => {
  it("answers like a scan through appends, replacements, renames and deletions of copy-on-write arrays", () => {
    const pick = random(7);
    let users: ScimUser[] = [];
    let next = 0;
    for (let step = 0; step < 3000; step++) {
      const roll = pick(10);
      if (roll < 5 || users.length === 0) users = [...users, user(`u${next}`, `Name${next++}`)];
      else if (roll < 8) {
        const i = pick(users.length);
        users = users.map((u, j) => (j === i ? user(u.id, `Renamed${step}`) : u));
      } else users = users.filter((_, j) => j !== pick(users.length));
      const probe = users[pick(users.length)];
      const view = instance("d-index", users);
      if (probe) {
        expect(userById(view, probe.id)).toBe(probe);
        expect(userByName(view, String(probe.attributes.userName).toUpperCase())).toBe(probe);
      }
      expect(userById(view, `u${next}`)).toBeUndefined();
    }
  });

  it("does not answer for another instance that shares the tenant id", () => {
    const a = instance("d-shared", [user("1", "ann")]);
    const b = instance("d-shared", [user("2", "bob")]);
    expect(userByName(a, "ann")?.id).toBe("1");
    expect(userByName(b, "ann")).toBeUndefined();
    expect(userByName(b, "bob")?.id).toBe("2");
    expect(userById(a, "1")?.id).toBe("1");
  });

  it("finds groups by id and by exact displayName", () => {
    const groups = [{ id: "g1", created: "t", lastModified: "t", displayName: "Eng", memberIds: [] }];
    const view = { tenantId: "d-groups", users: [], groups } as unknown as IdentityCenterInstance;
    expect(groupById(view, "g1")?.displayName).toBe("Eng");
    expect(groupByName(view, "Eng")?.id).toBe("g1");
    expect(groupByName(view, "eng")).toBeUndefined();
  });
});
