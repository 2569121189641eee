import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import type { Group, User } from "../../../src/core/directory/model.js";
import { DomainError } from "../../../src/core/errors.js";
import { importDirectory } from "../../../src/core/import/index.js";
import type { Store } from "../../../src/store/contract.js";
import { allPages } from "../../../src/store/pages.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe.each(backends)("membership rules on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let cleanup: () => Promise<void>;
  const people: Record<string, User> = {};

  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    dir = directory(store);
    for (const n of ["ann", "ben", "cat", "dan", "eve"]) {
      const login = `${n}@example.com`;
      people[n] = await dir.users.create(actor, {
        profile: { login, email: login, firstName: n, lastName: "X", displayName: null },
      });
    }
  });
  afterAll(async () => cleanup?.());

  const group = (name: string, source = "local") => dir.groups.create(actor, { name, source });
  const members = async (g: Group) => {
    const out: string[] = [];
    for await (const u of allPages((after) => store.memberships.membersOfGroup(g.id, { limit: 2, after })))
      out.push(u.profile.login.split("@")[0] ?? "");
    return out.sort();
  };
  const add = (g: Group, n: string) => dir.groups.addMember(actor, g.id, people[n]!.id);
  const remove = (g: Group, n: string) => dir.groups.removeMember(actor, g.id, people[n]!.id);

  it("copies the source group's members when created, and follows every later join and leave", async () => {
    const team = await group("legacy-team");
    const role = await group("aws#prod#ReadOnly#222233334444", "active_directory");
    for (const n of ["ann", "ben", "cat"]) await add(team, n);
    await add(role, "cat"); // also a direct member
    const rule = await dir.rules.create(actor, team.id, role.id);
    expect(rule.joined).toBe(2);
    expect(await members(role)).toEqual(["ann", "ben", "cat"]);
    expect(await store.memberships.isDirect(role.id, people.ann!.id)).toBe(false);
    expect(await store.memberships.isDirect(role.id, people.cat!.id)).toBe(true);

    await add(team, "dan");
    expect(await members(role)).toEqual(["ann", "ben", "cat", "dan"]);
    await remove(team, "ann");
    expect(await members(role)).toEqual(["ben", "cat", "dan"]);
    await remove(team, "cat"); // direct membership stays
    expect(await members(role)).toEqual(["ben", "cat", "dan"]);

    const held = await refusal(remove(role, "ben"));
    expect(held.code).toBe("conflict");
    expect(held.message).toContain(`through membership rule(s) ${rule.id}`);
    expect(await members(role)).toEqual(["ben", "cat", "dan"]);

    const log = (await store.log.list({ targetId: role.id }, { limit: 50 })).items.map((e) => e.action);
    expect(log).toContain("group.rule.create");
    expect(log.filter((a) => a === "group.user_membership.remove")).toHaveLength(1);

    const deleted = await dir.rules.delete(actor, rule.id);
    expect(deleted.left).toBe(2);
    expect(await members(role)).toEqual(["cat"]);
  });

  it("keeps a membership while another rule holds it, follows chains, and refuses cycles, duplicates and self", async () => {
    const a = await group("a");
    const b = await group("b");
    const r = await group("r");
    const s = await group("s");
    await add(a, "eve");
    await add(b, "eve");
    const ar = await dir.rules.create(actor, a.id, r.id);
    await dir.rules.create(actor, b.id, r.id);
    const rs = await dir.rules.create(actor, r.id, s.id);
    expect([await members(r), await members(s)]).toEqual([["eve"], ["eve"]]);
    await remove(a, "eve");
    expect([await members(r), await members(s)]).toEqual([["eve"], ["eve"]]);
    await remove(b, "eve");
    expect([await members(r), await members(s)]).toEqual([[], []]);

    expect((await refusal(dir.rules.create(actor, s.id, a.id))).code).toBe("conflict"); // a → r → s → a
    expect((await refusal(dir.rules.create(actor, a.id, r.id))).details).toEqual({ ruleId: ar.id });
    expect((await refusal(dir.rules.create(actor, a.id, a.id))).code).toBe("validation_failed");
    expect((await refusal(dir.rules.create(actor, a.id, "grp_nope"))).details.errors).toEqual([
      { path: "/toGroupId", message: 'group "grp_nope" does not exist' },
    ]);
    expect((await store.membershipRules.list()).some((x) => x.id === rs.id)).toBe(true);
  });

  it("deleting a rule's source group takes the memberships it held with it", async () => {
    const src = await group("contractors");
    const dst = await group("aws#dev#Dev#444455556666", "active_directory");
    await add(src, "ann");
    await dir.rules.create(actor, src.id, dst.id);
    expect(await members(dst)).toEqual(["ann"]);
    await dir.groups.delete(actor, src.id);
    expect(await members(dst)).toEqual([]);
    expect((await store.membershipRules.list()).filter((r) => r.toGroupId === dst.id)).toEqual([]);
  });

  it("a CSV import into a rule's source group reaches the target group in the same transaction", async () => {
    const src = await group("imported-team");
    const dst = await group("aws#ops#Ops#666677778888", "active_directory");
    await dir.rules.create(actor, src.id, dst.id);
    const text = "group,user\nimported-team,ben@example.com\nimported-team,dan@example.com\n";
    const report = await importDirectory(
      store,
      { memberships: { name: "m.csv", input: Readable.from([Buffer.from(text)]) } },
      { actor },
    );
    expect(report.committed).toBe(true);
    expect(await members(dst)).toEqual(["ben", "dan"]);
  });

  it("explain says which memberships a rule holds", async () => {
    const apps = new AppService(store);
    await apps.create(actor, {
      slug: "aws-groups",
      type: "aws-account-federation",
      label: "AWS",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    const role = (await dir.groups.list({ name: "aws#ops#Ops#666677778888" }, { limit: 1 })).items[0]!;
    await apps.assign(actor, "aws-groups", "group", role.id, {});
    const explained = await apps.explain("aws-groups", people.ben!);
    expect(explained.roles.map((r) => r.roleName)).toEqual(["Ops"]);
    expect(explained.heldByRules.map((h) => [h.groupName, h.fromGroupName])).toEqual([
      ["aws#ops#Ops#666677778888", "imported-team"],
    ]);
  });
});
