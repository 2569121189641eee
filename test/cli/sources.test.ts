import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROUPS_BASE, PEOPLE_BASE, seedLdif, uid } from "../helpers/ldap-seed.js";
import { READER_DN, READER_PW, type Slapd, startSlapd } from "../helpers/slapd.js";
import { rolebridge, tempDir } from "./run.js";

const dir = tempDir();
let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd(seedLdif(30));
}, 30_000);
afterAll(async () => {
  await slapd?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});
const run = (args: string[], stdin?: string) => rolebridge([...args, "--data-dir", dir], { stdin });

describe("rolebridge sources (the issue's contract)", () => {
  it("adds an LDAP source, syncs it with --json counts, and its groups list with --source", async () => {
    const add = await run(
      [
        "sources",
        "add-ldap",
        "--name",
        "corp_ldap",
        "--url",
        slapd.url,
        "--bind-dn",
        READER_DN,
        "--bind-password-stdin",
        "--people-base",
        PEOPLE_BASE,
        "--groups-base",
        GROUPS_BASE,
        "--preset",
        "openldap",
      ],
      `${READER_PW}\n`,
    );
    expect([add.code, add.stderr]).toEqual([0, ""]);

    const sync = await run(["sources", "sync", "corp_ldap", "--json"]);
    expect([sync.code, sync.stderr]).toEqual([0, ""]);
    const counts = JSON.parse(sync.stdout);
    // Without --nested-groups, all-staff holds only its one direct person.
    expect(counts).toMatchObject({ people: 30, groups: 3, memberships: 30 + 3 + 1, deactivated: 0 });

    const groups = await run(["groups", "list", "--source", "corp_ldap", "--json"]);
    expect(groups.code).toBe(0);
    const listed = JSON.parse(groups.stdout) as { items?: { name: string }[] } | { name: string }[];
    const names = (Array.isArray(listed) ? listed : (listed.items ?? [])).map((g) => g.name).sort();
    expect(names).toEqual(["all-staff", "engineers", "team-a"]);

    const user = await run(["users", "get", uid(2), "--json"]);
    expect(JSON.parse(user.stdout).status).toBe("SUSPENDED");

    const got = await run(["sources", "get", "corp_ldap", "--json"]);
    expect(got.stdout).not.toContain(READER_PW);
    expect(JSON.parse(got.stdout)).toMatchObject({ bindPassword: "set", lastSync: { status: "succeeded" } });
  });

  it("refuses a wrong password with the remote-failure exit code and says why", async () => {
    const upd = await run(["sources", "update", "corp_ldap", "--bind-password-stdin"], "not-the-password");
    expect(upd.code).toBe(0);
    const sync = await run(["sources", "sync", "corp_ldap"]);
    expect(sync.code).toBe(5);
    expect(sync.stderr).toMatch(/refused the bind DN or password/);
  });

  it("stops a sync that would deactivate too many until --confirm-deactivations", async () => {
    expect((await run(["sources", "update", "corp_ldap", "--bind-password-stdin"], READER_PW)).code).toBe(0);
    expect((await run(["sources", "update", "corp_ldap", "--people-filter", "(uid=user000*)"])).code).toBe(0);
    const stopped = await run(["sources", "sync", "corp_ldap", "--json"]);
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toMatch(/--confirm-deactivations/);
    const confirmed = await run(["sources", "sync", "corp_ldap", "--json", "--confirm-deactivations"]);
    expect(confirmed.code).toBe(0);
    // user0001-user0009 stay in scope; the other 21 (all active) leave it.
    expect(JSON.parse(confirmed.stdout).deactivated).toBe(30 - 9);
  });

  it("lists and removes sources; the people stay", async () => {
    const list = await run(["sources", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual(["corp_ldap"]);
    expect((await run(["sources", "remove", "corp_ldap"])).code).toBe(0);
    expect(JSON.parse((await run(["sources", "list", "--json"])).stdout)).toEqual([]);
    expect((await run(["users", "get", uid(1), "--json"])).code).toBe(0);
  });
});
