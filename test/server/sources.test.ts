import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import { GROUPS_BASE, PEOPLE_BASE, seedLdif } from "../helpers/ldap-seed.js";
import { READER_DN, READER_PW, type Slapd, startSlapd } from "../helpers/slapd.js";
import { expectError, expectNothingWritten, type Harness, openHarness } from "./harness.js";

let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd(seedLdif(12));
}, 30_000);
afterAll(async () => slapd?.cleanup());

describe.each(backends)("directory sources admin API on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend);
  });
  afterAll(async () => h?.close());

  const body = (bindPassword: string) => ({
    name: "corp_ldap",
    url: slapd.url,
    bindDn: READER_DN,
    bindPassword,
    peopleBase: PEOPLE_BASE,
    groupsBase: GROUPS_BASE,
    nestedGroups: true,
  });

  it("adds a source with a write-only password, refuses bad input precisely", async () => {
    await expectNothingWritten(h, async () => {
      const bad = await h.call({
        method: "POST",
        url: "/api/v1/sources",
        body: { ...body("x"), peopleFilter: "uid=a" },
      });
      expectError(bad, 400, "validation_failed");
      expect(bad.json().details.errors).toEqual([
        { path: "/peopleFilter", message: expect.stringMatching(/LDAP filter/) },
      ]);
    });
    const created = await h.call({ method: "POST", url: "/api/v1/sources", body: body("wrong") });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain("wrong");
    expect(created.json()).toMatchObject({ name: "corp_ldap", bindPassword: "set", settings: { preset: "openldap" } });
  });

  it("reports the directory refusing the bind as 502, never as our own 401/403", async () => {
    const r = await h.call({ method: "POST", url: "/api/v1/sources/corp_ldap/sync", body: {} });
    expectError(r, 502, "remote_failed");
    expect(r.json().details).toMatchObject({ resultCode: 49 });
  });

  it("syncs after the password is fixed and shows the counts in the source's status", async () => {
    const patched = await h.call({
      method: "PATCH",
      url: "/api/v1/sources/corp_ldap",
      body: { bindPassword: READER_PW },
    });
    expect(patched.statusCode).toBe(200);
    const r = await h.call({ method: "POST", url: "/api/v1/sources/corp_ldap/sync", body: { kind: "full" } });
    expect(r.statusCode).toBe(200);
    expect(r.json().counts).toMatchObject({ people: 12, groups: 3, deactivated: 0 });
    const got = await h.call({ method: "GET", url: "/api/v1/sources/corp_ldap" });
    expect(got.json().lastSync).toMatchObject({ status: "succeeded", kind: "full", counts: { people: 12 } });
    const groups = await h.call({ method: "GET", url: "/api/v1/groups?source=corp_ldap" });
    expect(groups.json()).toHaveLength(3);
    expect((await h.call({ method: "DELETE", url: "/api/v1/sources/corp_ldap" })).statusCode).toBe(204);
    expect((await h.call({ method: "GET", url: "/api/v1/sources" })).json()).toEqual([]);
  });
});
