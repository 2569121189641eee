import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../../src/core/audit.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { type CuttingProxy, startCuttingProxy } from "../../helpers/cutting-proxy.js";
import { GROUPS_BASE, PEOPLE_BASE, personDn, personLdif, seedLdif, uid } from "../../helpers/ldap-seed.js";
import { testRuntime } from "../../helpers/runtime.js";
import { READER_DN, READER_PW, type Slapd, SUFFIX, startSlapd } from "../../helpers/slapd.js";

/** More than AD's 1,500 values per range and three pages of the reader's 500-entry size limit. */
const PEOPLE = 1600;
const SOURCE = "corp_ldap";

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe.each(backends)("LDAP source against a real slapd ($name)", (backend) => {
  let slapd: Slapd;
  let proxy: CuttingProxy;
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  /** The runtime's clock runs this far ahead of the wall clock: how the schedule test moves time on. */
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset) };

  const user = async (i: number | string) => {
    const u = await rt.store.users.getByLogin(typeof i === "number" ? uid(i) : i);
    if (!u) throw new Error(`no user ${i}`);
    return u;
  };
  const group = async (name: string) => {
    const g = await rt.store.groups.getByName(SOURCE, name);
    if (!g) throw new Error(`no group ${name}`);
    return g;
  };
  const memberLogins = async (name: string) => {
    const page = await rt.store.memberships.membersOfGroup((await group(name)).id, { limit: 5000 });
    return page.items.map((u) => u.profile.login).sort();
  };
  const sync = (kind: "full" | "incremental" = "full", confirmDeactivations = false) =>
    rt.sources.sync(systemActor, SOURCE, { kind, confirmDeactivations });
  /** What a sync must leave untouched when it fails: every person's status and every membership count. */
  const state = async () => ({
    users: (await rt.store.users.list({}, { limit: 5000 })).items.map((u) => [u.profile.login, u.status, u.version]),
    memberships: await rt.store.memberships.count(),
    groups: (await rt.store.groups.list({ source: SOURCE }, { limit: 100 })).items.map((g) => [g.name, g.version]),
  });

  beforeAll(async () => {
    slapd = await startSlapd(seedLdif(PEOPLE));
    // A change one second after the seed, so the seed's second is not the incremental cursor's.
    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(`dn: cn=all-staff,${GROUPS_BASE}\nchangetype: modify\nreplace: description\ndescription: All staff\n`);
    proxy = await startCuttingProxy(slapd.port);
    ({ runtime: rt, cleanup } = await testRuntime(backend, {}, { clock }));
  }, 60_000);

  afterAll(async () => {
    await cleanup?.();
    await proxy?.close();
    await slapd?.cleanup();
  });

  it("refuses a wrong bind password as a remote failure with the server's result code, and changes nothing", async () => {
    await rt.sources.addLdap(systemActor, {
      name: SOURCE,
      url: `ldap://127.0.0.1:${proxy.port}`,
      bindDn: READER_DN,
      bindPassword: "wrong-password",
      peopleBase: PEOPLE_BASE,
      groupsBase: GROUPS_BASE,
      preset: "openldap",
      nestedGroups: true,
    });
    const err = await failure(sync());
    expect(err.code).toBe("remote_failed");
    expect(err.message).toMatch(/refused the bind DN or password/);
    expect(err.details).toMatchObject({ system: "ldap", resultCode: 49, operation: "bind" });
    expect(await rt.store.users.count()).toBe(0);
    const source = await rt.sources.get(SOURCE);
    expect(source.lastSync).toMatchObject({ status: "failed", kind: "full" });
    expect(JSON.stringify(source)).not.toContain("wrong-password");
    await rt.sources.update(systemActor, SOURCE, { bindPassword: READER_PW });
  });

  it("full sync: people, disabled person, groups (paged, > 1,500 members, nested) and memberships", async () => {
    const report = await sync();
    expect(report.kind).toBe("full");
    expect(report.counts).toMatchObject({
      people: PEOPLE,
      groups: 3,
      created: PEOPLE,
      groupsCreated: 3,
      deactivated: 0,
      skipped: 0,
      memberships: PEOPLE + 3 + 4,
    });
    expect((await user(1)).status).toBe("ACTIVE");
    expect((await user(1)).profile).toEqual({
      login: uid(1),
      email: `${uid(1)}@example.com`,
      firstName: "Person",
      lastName: "Number1",
      displayName: null,
    });
    expect((await user(2)).status).toBe("SUSPENDED");
    expect(await rt.store.users.getByLogin("outsider")).toBeNull();
    expect((await memberLogins("engineers")).length).toBe(PEOPLE);
    expect(await memberLogins("team-a")).toEqual([uid(1), uid(2), uid(3)]);
    // Nested: team-a's members are members of all-staff.
    expect(await memberLogins("all-staff")).toEqual([uid(1), uid(2), uid(3), uid(PEOPLE)]);
    const listed = await rt.store.groups.list({ source: SOURCE }, { limit: 10 });
    expect(listed.items.map((g) => g.name).sort()).toEqual(["all-staff", "engineers", "team-a"]);
    const log = await rt.store.log.list({ action: "directory.source.sync" }, { limit: 10 });
    expect(log.items.filter((e) => e.outcome === "SUCCESS")).toHaveLength(1);
  });

  it("a second full sync changes nothing; a person's local groups are untouched", async () => {
    const local = await rt.directory.groups.create(systemActor, { name: "local-team" });
    await rt.directory.groups.addMember(systemActor, local.id, uid(1));
    const before = await state();
    const report = await sync();
    expect(report.counts).toMatchObject({ created: 0, updated: 0, membershipsAdded: 0, membershipsRemoved: 0 });
    expect(await state()).toEqual(before);
    expect(await rt.store.memberships.has(local.id, (await user(1)).id)).toBe(true);
  });

  it("incremental sync after ldapmodify reads only what changed", async () => {
    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(
      [
        `dn: ${personDn(5)}\nchangetype: modify\nreplace: mail\nmail: renamed5@example.com\n-\nreplace: givenName\ngivenName: Five\n`,
        `${personLdif(9999).replace(/^dn: (.*)$/m, "dn: $1\nchangetype: add")}`,
        `dn: ${personDn(4)}\nchangetype: modify\nadd: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
        `dn: ${personDn(2)}\nchangetype: modify\ndelete: pwdAccountLockedTime\n`,
        `dn: cn=team-a,${GROUPS_BASE}\nchangetype: modify\nadd: uniqueMember\nuniqueMember: ${personDn(9999)}\n-\ndelete: uniqueMember\nuniqueMember: ${personDn(3)}\n`,
      ].join("\n"),
    );
    const report = await sync("incremental");
    expect(report.kind).toBe("incremental");
    // Proportional to the changes: the four people changed, not the directory.
    expect(report.counts).toMatchObject({ people: 4, created: 1, updated: 1, reactivated: 1, deactivated: 1 });
    expect((await user(5)).profile).toMatchObject({ email: "renamed5@example.com", firstName: "Five" });
    expect((await user(9999)).status).toBe("ACTIVE");
    expect((await user(4)).status).toBe("SUSPENDED");
    expect((await user(2)).status).toBe("ACTIVE");
    expect(await memberLogins("team-a")).toEqual([uid(1), uid(2), uid(9999)]);
    expect(await memberLogins("all-staff")).toEqual([uid(1), uid(2), uid(PEOPLE), uid(9999)]);
    expect((await memberLogins("engineers")).length).toBe(PEOPLE);
  });

  it("a person deleted from the directory is deactivated by the next full sync, never deleted", async () => {
    slapd.modify(`dn: ${personDn(7)}\nchangetype: delete\n`);
    const report = await sync();
    expect(report.counts).toMatchObject({ deactivated: 1, membershipsRemoved: 1 });
    expect((await user(7)).status).toBe("DEPROVISIONED");
    expect(await memberLogins("engineers")).not.toContain(uid(7));
  });

  it("a scope that would deactivate more than 10 % stops for confirmation and changes nothing", async () => {
    await rt.sources.update(systemActor, SOURCE, { peopleBase: `ou=contractors,${SUFFIX}` });
    const before = await state();
    const err = await failure(sync());
    expect(err.code).toBe("conflict");
    expect(err.details).toMatchObject({ needsConfirmation: true, maxDeactivationShare: 0.1 });
    expect(err.message).toMatch(/--confirm-deactivations/);
    expect(await state()).toEqual(before);
    expect((await rt.sources.get(SOURCE)).lastSync?.status).toBe("needs_confirmation");

    const confirmed = await sync("full", true);
    expect(confirmed.counts.deactivated).toBeGreaterThan(PEOPLE - 10);
    expect((await user(1)).status).toBe("DEPROVISIONED");
    expect((await user("outsider")).status).toBe("ACTIVE");

    await rt.sources.update(systemActor, SOURCE, { peopleBase: PEOPLE_BASE });
    const back = await sync("full", true);
    expect(back.counts.reactivated).toBeGreaterThan(PEOPLE - 10);
    expect((await user(1)).status).toBe("ACTIVE");
    expect((await user("outsider")).status).toBe("DEPROVISIONED");
  });

  it("a server that goes away mid-sync leaves the previous state; the next sync completes", async () => {
    slapd.modify(`dn: ${personDn(8)}\nchangetype: modify\nreplace: sn\nsn: Changed\n`);
    const before = await state();
    // Cut the connection once 40 kB of search results came through: well inside the people's pages.
    proxy.cutAfter = 40_000;
    const err = await failure(sync());
    expect(err.code).toBe("remote_failed");
    expect(await state()).toEqual(before);
    expect((await user(8)).profile.lastName).toBe("Number8");

    await slapd.stop();
    proxy.cutAfter = null;
    const down = await failure(sync());
    expect(down.code).toBe("remote_failed");
    await slapd.start();

    const report = await sync();
    expect(report.counts.updated).toBe(1);
    expect((await user(8)).profile.lastName).toBe("Changed");
  });

  it("runs due syncs on a schedule: once per interval however many nodes ask, a full one a day", async () => {
    expect(await rt.sources.runDue(systemActor)).toEqual([]);
    offset += 16 * 60_000;
    const nodes = await Promise.all([rt.sources.runDue(systemActor), rt.sources.runDue(systemActor)]);
    expect(nodes.flat()).toEqual([{ source: SOURCE, kind: "incremental" }]);
    expect(await rt.sources.runDue(systemActor)).toEqual([]);
    offset += 25 * 60 * 60_000;
    expect(await rt.sources.runDue(systemActor)).toEqual([{ source: SOURCE, kind: "full" }]);
  });

  it("signs people in with their directory password when the source allows it (a bind as them)", async () => {
    const signIn = (login: string, password: string) => rt.signIn.signIn("portal", login, password);
    expect(await failure(signIn(uid(1), `pw-${uid(1)}`))).toMatchObject({ code: "unauthorized" });
    await rt.sources.update(systemActor, SOURCE, { passwordSignIn: true });
    expect((await signIn(uid(1), `pw-${uid(1)}`)).user.profile.login).toBe(uid(1));
    expect(await failure(signIn(uid(1), "wrong"))).toMatchObject({ code: "unauthorized" });
    // An empty password would be an unauthenticated bind, which slapd accepts: never a sign-in.
    expect(await failure(signIn(uid(1), ""))).toMatchObject({ code: "unauthorized" });
    // Disabled in the directory: the bind may work, the person is not active here.
    expect(await failure(signIn(uid(4), `pw-${uid(4)}`))).toMatchObject({ code: "unauthorized" });
    await slapd.stop();
    expect(await failure(signIn(uid(1), `pw-${uid(1)}`))).toMatchObject({ code: "remote_failed" });
    await slapd.start();
  });
});
