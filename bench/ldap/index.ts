/**
 * LDAP source sync against a real slapd (started here on loopback, thrown away after). Prints numbers, asserts
 * nothing.
 *   npx tsx bench/ldap/index.ts [--people 100000 --groups 10000 --memberships 1000000 --changes 100]
 *   (the defaults are the size)
 *
 * 1. `ldapsearch` dumping the same entries and attributes the sync reads (paged, 500 a page), to /dev/null.
 * 2. A full sync into an empty SQLite store: time, and its ratio to the dump (goal: at most 3x).
 * 3. `--changes` people modified with ldapmodify, then an incremental sync: time and entries read, beside the full.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config/load.js";
import { systemActor } from "../../src/core/audit.js";
import { openRuntime } from "../../src/runtime.js";
import { backends } from "../../test/helpers/backends.js";
import { GROUPS_BASE, PEOPLE_BASE, personDn, personLdif } from "../../test/helpers/ldap-seed.js";
import { READER_DN, READER_PW, SUFFIX, startSlapd } from "../../test/helpers/slapd.js";

const { values } = parseArgs({
  options: {
    people: { type: "string", default: "100000" },
    groups: { type: "string", default: "10000" },
    memberships: { type: "string", default: "1000000" },
    changes: { type: "string", default: "100" },
  },
});
const people = Number(values.people);
const groups = Number(values.groups);
const memberships = Number(values.memberships);
const changes = Number(values.changes);

function ldif(): string {
  const parts = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ${READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${READER_PW}\n`,
    `dn: ${PEOPLE_BASE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ${GROUPS_BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
  ];
  for (let i = 1; i <= people; i++) parts.push(personLdif(i));
  const per = Math.max(1, Math.round(memberships / groups));
  for (let g = 0; g < groups; g++) {
    // Members spread over everyone: group g holds people g*per .. g*per+per-1 (mod people).
    const members = Array.from({ length: per }, (_, k) => `member: ${personDn(((g * per + k) % people) + 1)}`);
    parts.push(`dn: cn=group${g},${GROUPS_BASE}\nobjectClass: groupOfNames\ncn: group${g}\n${members.join("\n")}\n`);
  }
  return parts.join("\n");
}

function dump(url: string, base: string, filter: string, attributes: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      "ldapsearch",
      [
        "-x",
        "-LLL",
        "-H",
        url,
        "-D",
        READER_DN,
        "-w",
        READER_PW,
        "-b",
        base,
        "-E",
        "pr=500/noprompt",
        filter,
        ...attributes,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    p.stdout.resume();
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ldapsearch exited ${code}`))));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  console.log(`slapd with ${people} people, ${groups} groups, ${memberships} memberships; loading with slapadd…`);
  let t = performance.now();
  const slapd = await startSlapd(ldif());
  console.log(`  loaded in ${seconds(performance.now() - t)}`);
  const opened = await backends[0]!.open();
  await opened.store.close();
  const config = loadConfig({
    env: {},
    overrides: { dataDir: opened.dataDir, logLevel: "silent", masterKey: randomBytes(32).toString("base64") },
  });
  const rt = await openRuntime(config);
  try {
    // One change after the load's second, so the incremental cursor is not the second every entry shares.
    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(`dn: cn=group0,${GROUPS_BASE}\nchangetype: modify\nreplace: description\ndescription: x\n`);
    await rt.sources.addLdap(systemActor, {
      name: "bench_ldap",
      url: slapd.url,
      bindDn: READER_DN,
      bindPassword: READER_PW,
      peopleBase: PEOPLE_BASE,
      groupsBase: GROUPS_BASE,
      schedule: { incrementalMinutes: null, fullMinutes: null },
    });

    t = performance.now();
    await dump(slapd.url, PEOPLE_BASE, "(objectClass=inetOrgPerson)", [
      "entryUUID",
      "uid",
      "mail",
      "givenName",
      "sn",
      "displayName",
      "modifyTimestamp",
      "pwdAccountLockedTime",
    ]);
    await dump(slapd.url, GROUPS_BASE, "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))", [
      "entryUUID",
      "cn",
      "description",
      "modifyTimestamp",
      "member",
      "uniqueMember",
    ]);
    const dumpMs = performance.now() - t;

    t = performance.now();
    const full = await rt.sources.sync(systemActor, "bench_ldap", { kind: "full" });
    const fullMs = performance.now() - t;

    await new Promise((r) => setTimeout(r, 1100));
    const ldifChanges = Array.from(
      { length: changes },
      (_, k) =>
        `dn: ${personDn(1 + Math.floor((k * people) / changes))}\nchangetype: modify\nreplace: sn\nsn: Changed${k}\n`,
    );
    slapd.modify(ldifChanges.join("\n"));
    t = performance.now();
    const inc = await rt.sources.sync(systemActor, "bench_ldap", { kind: "incremental" });
    const incMs = performance.now() - t;

    console.log(`ldapsearch dump (people + groups, paged): ${seconds(dumpMs)}`);
    console.log(
      `full sync: ${seconds(fullMs)} = ${(fullMs / dumpMs).toFixed(2)}x the dump (goal <= 3x); ${full.counts.people} people, ${full.counts.groups} groups, ${full.counts.memberships} memberships`,
    );
    console.log(
      `incremental sync after ${changes} changes: ${seconds(incMs)} = ${(incMs / fullMs).toFixed(4)}x the full sync; read ${inc.counts.people} people, ${inc.counts.groups} groups; ${inc.counts.updated} updated`,
    );
  } finally {
    await rt.close();
    await opened.cleanup();
    await slapd.cleanup();
    rmSync(opened.dataDir, { recursive: true, force: true });
  }
}

await main();
