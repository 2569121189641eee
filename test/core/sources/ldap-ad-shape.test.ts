import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { READER_DN, READER_PW, type Slapd, SUFFIX, startSlapd } from "../../helpers/slapd.js";

/**
 * The Active Directory preset against entries shaped like AD's (Debian's msuser schema: `user`, `group`,
 * binary `objectGUID`, `userPrincipalName`, `userAccountControl`). slapd is not AD: its `objectCategory` is a plain
 * DN, so the people filter is given explicitly, and AD-only behaviour (range retrieval, `uSNChanged` ordering) is
 * covered by the unit tests instead.
 */
const backend = backends[0]!;
const STAFF = `ou=Staff,${SUFFIX}`;
const GROUPS = `ou=Groups,${SUFFIX}`;
const GUIDS = ["67452301ab89efcd0123456789abcdef", "00112233445566778899aabbccddeeff"];

function adUser(cn: string, upn: string, uac: number, guidHex: string): string {
  return `dn: cn=${cn},${STAFF}
objectClass: user
objectClass: extensibleObject
cn: ${cn}
givenName: ${cn.split(" ")[0]}
sn: ${cn.split(" ")[1]}
userPrincipalName: ${upn}
sAMAccountName: ${upn.split("@")[0]}
mail: ${upn}
userAccountControl: ${uac}
objectGUID:: ${Buffer.from(guidHex, "hex").toString("base64")}
objectCategory: CN=Person,CN=Schema,CN=Configuration,${SUFFIX}
instanceType: 4
nTSecurityDescriptor: AA==
`;
}

describe("Active Directory preset against AD-shaped entries in slapd", () => {
  let slapd: Slapd;
  let rt: Runtime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const ldif = [
      `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
      `dn: ${READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${READER_PW}\n`,
      `dn: ${STAFF}\nobjectClass: organizationalUnit\nou: Staff\n`,
      `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: Groups\n`,
      adUser("Ann Lee", "ann@corp.example", 512, GUIDS[0]!),
      adUser("Bob Ray", "bob@corp.example", 514, GUIDS[1]!),
      `dn: cn=aws#prod#Admin#123456789012,${GROUPS}\nobjectClass: group\ncn: aws#prod#Admin#123456789012\ngroupType: -2147483646\nmember: cn=Ann Lee,${STAFF}\nmember: cn=Bob Ray,${STAFF}\nobjectGUID:: ${Buffer.from("ffeeddccbbaa99887766554433221100", "hex").toString("base64")}\nobjectCategory: CN=Group,CN=Schema,CN=Configuration,${SUFFIX}\ninstanceType: 4\nnTSecurityDescriptor: AA==\n`,
    ].join("\n");
    slapd = await startSlapd(ldif, { schemas: ["msuser"] });
    ({ runtime: rt, cleanup } = await testRuntime(backend));
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
    await slapd?.cleanup();
  });

  it("imports UPN logins, objectGUID ids, the ACCOUNTDISABLE flag and the group's members", async () => {
    await rt.sources.addLdap(systemActor, {
      name: "active_directory",
      url: slapd.url,
      bindDn: READER_DN,
      bindPassword: READER_PW,
      peopleBase: STAFF,
      peopleFilter: "(objectClass=user)",
      groupsBase: GROUPS,
      preset: "active-directory",
    });
    const report = await rt.sources.sync(systemActor, "active_directory", { kind: "full" });
    expect(report.counts).toMatchObject({ people: 2, groups: 1, memberships: 2, skipped: 0 });
    const ann = await rt.store.users.getByLogin("ann@corp.example");
    const bob = await rt.store.users.getByLogin("bob@corp.example");
    expect(ann).toMatchObject({ status: "ACTIVE", profile: { firstName: "Ann", lastName: "Lee" } });
    // userAccountControl 514 = NORMAL_ACCOUNT | ACCOUNTDISABLE.
    expect(bob?.status).toBe("SUSPENDED");
    const group = await rt.store.groups.getByName("active_directory", "aws#prod#Admin#123456789012");
    expect(group?.externalId).toBe("ccddeeff-aabb-8899-7766-554433221100");
    const people = await rt.store.directorySources.linkedPeople((await rt.sources.get("active_directory")).id);
    expect(people.map((p) => p.externalId).sort()).toEqual(
      ["01234567-89ab-cdef-0123-456789abcdef", "33221100-5544-7766-8899-aabbccddeeff"].sort(),
    );
    const members = await rt.store.memberships.membersOfGroup(group!.id, { limit: 10 });
    expect(members.items.map((u) => u.profile.login).sort()).toEqual(["ann@corp.example", "bob@corp.example"]);
  });
});
