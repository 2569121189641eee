/**
 * LDAP source sync against a real slapd (started here on loopback, thrown away after). Prints numbers, asserts
 * nothing.
 *   npx tsx bench/ldap/index.ts [--people 100000 --groups 10000 --memberships 1000000 --changes 100]
 *   (the defaults are the size)
 *
 * 1. `ldapsearch` dumping the same entries and attributes the sync reads (paged, 500 a page), to /dev/null.
 * 2. A full sync into an empty SQLite store: time, and its ratio to the dump (goal: at most 3x).
 * 3. `--changes` people modified with ldapmodify, then an incremental sync: time and entries read, beside the full.
 *
 * 4. The full sync's reading alone (the same two connections and decoding, nothing stored), to show what of the
 *    full sync is reading and what is writing.
 *
 * Beside the wall-clock times, the CPU seconds each side costs (the client's process plus slapd's): on a shared
 * machine the wall clock moves with everyone else's load, while the CPU spent is what the work itself takes.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config/load.js";
import { systemActor } from "../../src/core/audit.js";
import { LdapConnection } from "../../src/core/sources/ldap-client.js";
import { readDirectory } from "../../src/core/sources/ldap-read.js";
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

const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuOfPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // After "pid (name) ", the fields from the 3rd on: utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** ldapsearch's own CPU seconds, as /usr/bin/time reports them. */
let dumpClientCpu = 0;
const timeDir = mkdtempSync(join(tmpdir(), "rb-bench-time-"));

function dump(url: string, base: string, filter: string, attributes: string[]): Promise<void> {
  const timeFile = join(timeDir, "ldapsearch.time");
  return new Promise((resolve, reject) => {
    const p = spawn(
      "/usr/bin/time",
      [
        "-f",
        "%U %S",
        "-o",
        timeFile,
        "ldapsearch",
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
    p.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`ldapsearch exited ${code}`));
      const [user, system] = readFileSync(timeFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
      dumpClientCpu += (user ?? 0) + (system ?? 0);
      resolve();
    });
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

    const slapdPid = Number(readFileSync(join(slapd.dir, "slapd.pid"), "utf8").trim());
    let slapdCpu = cpuOfPid(slapdPid);
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
    const dumpCpu = { client: dumpClientCpu, slapd: cpuOfPid(slapdPid) - slapdCpu };

    slapdCpu = cpuOfPid(slapdPid);
    const cpu = ownCpu();
    t = performance.now();
    const full = await rt.sources.sync(systemActor, "bench_ldap", { kind: "full" });
    const fullMs = performance.now() - t;
    const fullCpu = { client: ownCpu() - cpu, slapd: cpuOfPid(slapdPid) - slapdCpu };

    const settings = (await rt.store.directorySources.getByName("bench_ldap"))?.settings;
    if (!settings) throw new Error("the bench source is gone");
    slapdCpu = cpuOfPid(slapdPid);
    const readCpuStart = ownCpu();
    t = performance.now();
    const conns = [await LdapConnection.open(settings, READER_PW), await LdapConnection.open(settings, READER_PW)];
    const readAlone = await readDirectory(conns[0]!, settings, { people: null, groups: null }, conns[1]!);
    for (const c of conns) await c.close();
    const readMs = performance.now() - t;
    const readCpu = { client: ownCpu() - readCpuStart, slapd: cpuOfPid(slapdPid) - slapdCpu };

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
    const total = (c: { client: number; slapd: number }) => c.client + c.slapd;
    console.log(
      `CPU seconds (client + slapd): dump ${dumpCpu.client.toFixed(2)} + ${dumpCpu.slapd.toFixed(2)} = ${total(dumpCpu).toFixed(2)}; full sync ${fullCpu.client.toFixed(2)} + ${fullCpu.slapd.toFixed(2)} = ${total(fullCpu).toFixed(2)} = ${(total(fullCpu) / total(dumpCpu)).toFixed(2)}x`,
    );
    console.log(
      `the full sync's reading alone (nothing stored): ${seconds(readMs)} = ${(readMs / dumpMs).toFixed(2)}x the dump; CPU ${readCpu.client.toFixed(2)} + ${readCpu.slapd.toFixed(2)} = ${total(readCpu).toFixed(2)} = ${(total(readCpu) / total(dumpCpu)).toFixed(2)}x; ${readAlone.people.length} people, ${readAlone.groups.length} groups`,
    );
    console.log(
      `incremental sync after ${changes} changes: ${seconds(incMs)} = ${(incMs / fullMs).toFixed(4)}x the full sync; read ${inc.counts.people} people, ${inc.counts.groups} groups; ${inc.counts.updated} updated`,
    );
  } finally {
    await rt.close();
    await opened.cleanup();
    await slapd.cleanup();
    rmSync(opened.dataDir, { recursive: true, force: true });
    rmSync(timeDir, { recursive: true, force: true });
  }
}

await main();
