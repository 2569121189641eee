import type { Entry } from "ldapts";
import { describe, expect, it } from "vitest";
import {
  first,
  isLoopbackHost,
  type LdapConnection,
  transportProblem,
  values,
} from "../../../src/core/sources/ldap-client.js";
import { dnKey, escapeFilterValue, formatGuid, memberValues } from "../../../src/core/sources/ldap-read.js";

describe("LDAP source helpers", () => {
  it("compares DNs case-insensitively, ignoring spaces around separators but not escaped commas", () => {
    expect(dnKey("CN=Team A , OU=Groups,DC=Example, DC=com")).toBe("cn=team a,ou=groups,dc=example,dc=com");
    expect(dnKey("cn=Doe\\, John,ou=people")).toBe("cn=doe\\, john,ou=people");
  });

  it("shows AD's objectGUID as AD tools do (first three fields little-endian)", () => {
    const bytes = Buffer.from("67452301ab89efcd0123456789abcdef", "hex");
    expect(formatGuid(bytes)).toBe("01234567-89ab-cdef-0123-456789abcdef");
  });

  it("finds an entry's attribute in any spelling, never an object's built-in property", () => {
    const entry = { dn: "uid=a,ou=people", givenName: "Ann", MAIL: ["a@x", "b@x"], description: [] } as Entry;
    expect(values(entry, "givenName")).toEqual(["Ann"]);
    expect(values(entry, "givenname")).toEqual(["Ann"]);
    expect(values(entry, "mail")).toEqual(["a@x", "b@x"]);
    expect(values(entry, "description")).toEqual([]);
    expect(first(entry, "GIVENNAME")).toBe("Ann");
    for (const name of ["constructor", "toString", "dn", "sn"]) expect(values(entry, name)).toEqual([]);
  });

  it("escapes filter values (RFC 4515)", () => {
    expect(escapeFilterValue("a*(b)\\")).toBe("a\\2a\\28b\\29\\5c");
  });

  it("follows AD range retrieval of a large member attribute until the slice ending in *", async () => {
    const all = Array.from({ length: 3200 }, (_, i) => `cn=p${i},ou=people`);
    const asked: string[][] = [];
    const conn = {
      async read(_dn: string, attributes: string[]) {
        asked.push(attributes);
        const m = /range=(\d+)-\*/.exec(attributes[0] ?? "");
        const start = Number(m?.[1]);
        const end = Math.min(start + 1499, all.length - 1);
        const last = end === all.length - 1;
        return { dn: "cn=big", [`member;range=${start}-${last ? "*" : end}`]: all.slice(start, end + 1) } as Entry;
      },
    } as unknown as LdapConnection;
    const first = { dn: "cn=big", member: [], "member;range=0-1499": all.slice(0, 1500) } as unknown as Entry;
    expect(await memberValues(conn, first, "member")).toEqual(all);
    expect(asked).toEqual([["member;range=1500-*"], ["member;range=3000-*"]]);
  });

  it("refuses plain LDAP in production except on loopback; StartTLS and ldaps are always allowed", () => {
    expect(transportProblem({ url: "ldap://dc1.corp.example:389", startTls: false }, true)).toMatch(/in the clear/);
    expect(transportProblem({ url: "ldap://dc1.corp.example:389", startTls: false }, false)).toBeNull();
    expect(transportProblem({ url: "ldap://127.0.0.1:389", startTls: false }, true)).toBeNull();
    expect(transportProblem({ url: "ldap://[::1]:389", startTls: false }, true)).toBeNull();
    expect(transportProblem({ url: "ldap://dc1.corp.example", startTls: true }, true)).toBeNull();
    expect(transportProblem({ url: "ldaps://dc1.corp.example", startTls: false }, true)).toBeNull();
    expect(transportProblem({ url: "ldaps://dc1.corp.example", startTls: true }, true)).toMatch(/ldap:\/\/ only/);
    expect(transportProblem({ url: "http://dc1", startTls: false }, false)).toMatch(/ldap:\/\/ or ldaps:\/\//);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
  });
});
