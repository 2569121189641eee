import { Client, type Entry } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeEntriesFast } from "../../../src/core/sources/ldap-fast-entries.js";
import { GROUPS_BASE, PEOPLE_BASE, personDn, uid } from "../../helpers/ldap-seed.js";
import { READER_DN, READER_PW, type Slapd, SUFFIX, startSlapd } from "../../helpers/slapd.js";

/**
 * The sync's entry decoder must hand out exactly what ldapts's own decoding does: both read the same generated
 * directory from a real slapd (paged), with UTF-8 names, multi-valued and missing attributes, bytes that are not
 * UTF-8, attributes asked for in another spelling, and groups too large for one network read.
 */
const PEOPLE = 240;
const b64 = (s: string | Buffer) => (typeof s === "string" ? Buffer.from(s, "utf8") : s).toString("base64");
const names = ["Zoë", "José", "Łukasz", "日本", "Ana María", "O'Brien", "Renée", "Ægir"];

function ldif(): string {
  const parts = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ${READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${READER_PW}\n`,
    `dn: ${PEOPLE_BASE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ${GROUPS_BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
  ];
  for (let i = 1; i <= PEOPLE; i++) {
    const given = names[i % names.length] as string;
    const lines = [
      `dn: ${personDn(i)}`,
      "objectClass: inetOrgPerson",
      `uid: ${uid(i)}`,
      `cn:: ${b64(`${given} ${i}`)}`,
      `sn: Number${i}`,
      i % 4 === 0 ? "" : `givenName:: ${b64(given)}`,
      `mail: ${uid(i)}@example.com`,
      i % 3 === 0 ? `mail: ${uid(i)}.alias@example.com` : "",
      // Bytes that are not UTF-8 on some, a valid UTF-8 photo on others.
      i % 5 === 0 ? `jpegPhoto:: ${b64(Buffer.from([0xff, 0xd8, 0xff, i % 256, 0x00, 0x80]))}` : "",
      i % 7 === 0 ? `jpegPhoto:: ${b64("plain text photo")}` : "",
    ];
    parts.push(`${lines.filter(Boolean).join("\n")}\n`);
  }
  for (let g = 0; g < 6; g++) {
    // Group 0 holds everyone several times over in description values, well past a 64 KiB socket read.
    const members = Array.from({ length: g === 0 ? PEOPLE : 3 }, (_, k) => `member: ${personDn(k + 1)}`);
    const big =
      g === 0 ? Array.from({ length: 900 }, (_, k) => `description: filler value number ${k} ${"x".repeat(60)}`) : [];
    parts.push(
      `dn: cn=group${g},${GROUPS_BASE}\nobjectClass: groupOfNames\ncn: group${g}\n${[...members, ...big].join("\n")}\n`,
    );
  }
  return parts.join("\n");
}

async function readAll(slapd: Slapd, fast: boolean, base: string, attributes: string[], binary: string[]) {
  const client = new Client({ url: slapd.url });
  if (fast) expect(decodeEntriesFast(client)).toBe(true);
  await client.bind(READER_DN, READER_PW);
  const out: Entry[] = [];
  try {
    const pages = client.searchPaginated(base, {
      scope: "sub",
      filter: "(|(objectClass=inetOrgPerson)(objectClass=groupOfNames))",
      attributes,
      paged: { pageSize: 50 },
      explicitBufferAttributes: binary,
    });
    for await (const page of pages) out.push(...page.searchEntries);
  } finally {
    await client.unbind();
  }
  return out;
}

describe("fast LDAP entry decoding", () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd(ldif());
  });
  afterAll(async () => slapd?.cleanup());

  it.each([
    { what: "people, bytes kept only where not UTF-8", base: PEOPLE_BASE, binary: [] as string[] },
    { what: "people, the photo asked for as bytes", base: PEOPLE_BASE, binary: ["jpegPhoto"] },
    { what: "groups with a large entry", base: GROUPS_BASE, binary: [] as string[] },
  ])("decodes $what exactly as ldapts does", async ({ base, binary }) => {
    const attributes = ["entryUUID", "uid", "CN", "givenname", "sn", "mail", "jpegPhoto", "displayName", "member"];
    attributes.push("description", "modifyTimestamp");
    const expected = await readAll(slapd, false, base, attributes, binary);
    const actual = await readAll(slapd, true, base, attributes, binary);
    expect(expected.length).toBe(base === PEOPLE_BASE ? PEOPLE : 6);
    expect(actual).toEqual(expected);
    // The cases this is meant to cover are really in the data.
    const all = JSON.stringify(expected);
    const bytes = (v: unknown) => Buffer.isBuffer(v) || (Array.isArray(v) && v.some((x) => Buffer.isBuffer(x)));
    if (base === PEOPLE_BASE) {
      expect(all).toContain("日本");
      expect(expected.some((e) => bytes(e.jpegPhoto))).toBe(true);
      expect(expected.some((e) => Array.isArray(e.mail))).toBe(true);
      expect(expected.some((e) => Array.isArray(e.givenname) && e.givenname.length === 0)).toBe(true);
    } else expect(expected[0]?.description).toHaveLength(900);
  });
});
