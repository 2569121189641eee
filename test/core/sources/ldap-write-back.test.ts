import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { GROUPS_BASE, PEOPLE_BASE, personDn, seedLdif, uid } from "../../helpers/ldap-seed.js";
import { testRuntime } from "../../helpers/runtime.js";
import { ROOT_DN, ROOT_PW, type Slapd, startSlapd } from "../../helpers/slapd.js";

const backend = backends[0]!;
const OU = `ou=aws,${GROUPS_BASE}`;
const ADMIN_GROUP = "aws#prod#Admin#123456789012";

describe("write-back of role groups into a real slapd", () => {
  let slapd: Slapd;
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  /** What the directory holds under the OU, read with ldapsearch: cn -> member DNs. */
  const directoryGroups = () => {
    const out = execFileSync("ldapsearch", [
      ...["-x", "-LLL", "-o", "ldif-wrap=no", "-H", slapd.url, "-D", ROOT_DN, "-w", ROOT_PW, "-b", OU],
      "(objectClass=groupOfNames)",
      "cn",
      "member",
    ]).toString();
    const groups: Record<string, string[]> = {};
    for (const block of out.split("\n\n").filter((b) => b.includes("cn: "))) {
      const cn = /^cn: (.*)$/m.exec(block)?.[1] as string;
      groups[cn] = [...block.matchAll(/^member: (.*)$/gm)].map((m) => m[1] as string).sort();
    }
    return groups;
  };

  beforeAll(async () => {
    slapd = await startSlapd(seedLdif(6));
    slapd.modify(`dn: ${OU}\nchangetype: add\nobjectClass: organizationalUnit\nou: aws\n`);
    ({ runtime: rt, cleanup } = await testRuntime(backend));
    // Write-back needs a bind account that may write under the OU.
    await rt.sources.addLdap(systemActor, {
      name: "corp_ldap",
      url: slapd.url,
      bindDn: ROOT_DN,
      bindPassword: ROOT_PW,
      peopleBase: PEOPLE_BASE,
      groupsBase: GROUPS_BASE,
    });
    await rt.sources.sync(systemActor, "corp_ldap", { kind: "full" });
    const g = rt.directory.groups;
    const admin = await g.create(systemActor, { name: ADMIN_GROUP });
    await g.addMember(systemActor, admin.id, uid(1));
    await g.addMember(systemActor, admin.id, uid(3));
    const local = await rt.directory.users.create(systemActor, {
      profile: {
        login: "local.only",
        email: "local.only@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
    await g.addMember(systemActor, admin.id, local.id);
    await g.create(systemActor, { name: "aws#bad,name#1" });
    const lonely = await g.create(systemActor, { name: "aws#dev#ReadOnly#1" });
    await g.addMember(systemActor, lonely.id, local.id);
    await g.create(systemActor, { name: "not-a-role-group" });
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
    await slapd?.cleanup();
  });

  it("plans first: what would be created, and refuses names the directory would mangle; nothing written", async () => {
    const plan = await rt.sources.writeBack(systemActor, "corp_ldap", { ou: OU, apply: false });
    const byName = Object.fromEntries(plan.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual(["aws#bad,name#1", "aws#dev#ReadOnly#1", ADMIN_GROUP].sort());
    expect(byName[ADMIN_GROUP]).toMatchObject({ action: "create", members: 2, notInDirectory: 1 });
    expect(byName["aws#bad,name#1"]).toMatchObject({ action: "refused", reason: expect.stringMatching(/escape/) });
    expect(byName["aws#dev#ReadOnly#1"]).toMatchObject({
      action: "refused",
      reason: expect.stringMatching(/no member/),
    });
    expect(directoryGroups()).toEqual({});
  });

  it("applies: the group and its directory members exist in the directory; a re-run only adds what is missing", async () => {
    await rt.sources.writeBack(systemActor, "corp_ldap", { ou: OU, apply: true });
    expect(directoryGroups()).toEqual({ [ADMIN_GROUP]: [personDn(1), personDn(3)].sort() });
    const again = await rt.sources.writeBack(systemActor, "corp_ldap", { ou: OU, apply: false });
    expect(again.find((i) => i.name === ADMIN_GROUP)?.action).toBe("unchanged");

    const admin = await rt.store.groups.getByName("local", ADMIN_GROUP);
    await rt.directory.groups.addMember(systemActor, admin!.id, uid(5));
    const more = await rt.sources.writeBack(systemActor, "corp_ldap", { ou: OU, apply: true });
    expect(more.find((i) => i.name === ADMIN_GROUP)).toMatchObject({ action: "add-members", members: 1 });
    expect(directoryGroups()[ADMIN_GROUP]).toEqual([personDn(1), personDn(3), personDn(5)].sort());
  });
});
