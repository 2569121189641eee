import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway OpenLDAP server (Debian's slapd, never its system service) on a free loopback port, with its own
 * slapd.conf and data directory in a temp folder. The reader account has a size limit of 500, so only paged
 * searches (RFC 2696) can read the whole directory.
 */
export const SUFFIX = "dc=example,dc=com";
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PW = "root-secret";
export const READER_DN = `cn=reader,${SUFFIX}`;
export const READER_PW = "reader-secret";

export interface Slapd {
  url: string;
  /** Also listening for ldaps:// when started with a certificate. */
  ldapsUrl: string | null;
  port: number;
  dir: string;
  /** Applies LDIF changes as the root DN (ldapmodify). */
  modify(ldif: string): void;
  /** Kills slapd (SIGKILL: a server that dies, not one that says goodbye). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd and removes its folder. */
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
      s.connect(port, "127.0.0.1");
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`slapd did not open port ${port}`);
}

function config(dir: string, tls: { cert: string; key: string } | null, schemas: readonly string[]): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
${schemas.map((name) => `include /etc/ldap/schema/${name}.schema\n`).join("")}modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
${tls ? `TLSCertificateFile ${tls.cert}\nTLSCertificateKeyFile ${tls.key}\n` : ""}
database mdb
suffix "${SUFFIX}"
rootdn "${ROOT_DN}"
rootpw ${ROOT_PW}
directory ${dir}/data
maxsize 1073741824
index objectClass eq
index entryUUID eq
index modifyTimestamp eq
limits dn.exact="${READER_DN}" size.soft=500 size.hard=500 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by self write by * none
access to * by dn.exact="${READER_DN}" read by users read by * none
overlay ppolicy
`;
}

export async function startSlapd(
  ldif: string,
  /** `schemas`: more of Debian's schema files, e.g. `msuser` (Active Directory's classes and attributes). */
  opts: { tls?: { cert: string; key: string }; schemas?: readonly string[] } = {},
): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), "rb-slapd-"));
  mkdirSync(join(dir, "data"));
  const conf = join(dir, "slapd.conf");
  writeFileSync(conf, config(dir, opts.tls ?? null, opts.schemas ?? []));
  writeFileSync(join(dir, "seed.ldif"), ldif);
  execFileSync("/usr/sbin/slapadd", ["-q", "-f", conf, "-l", join(dir, "seed.ldif")], { stdio: "pipe" });
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = opts.tls ? await freePort() : null;
  const ldapsUrl = tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : null;
  let proc: ChildProcess | null = null;

  const start = async () => {
    // -d keeps slapd in the foreground, so the test owns the process and kills exactly it.
    const listen = ldapsUrl ? `${url}/ ${ldapsUrl}/` : `${url}/`;
    proc = spawn("/usr/sbin/slapd", ["-f", conf, "-h", listen, "-d", "0"], { stdio: "ignore" });
    await waitForPort(port);
    if (tlsPort) await waitForPort(tlsPort);
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  };
  await start();
  return {
    url,
    ldapsUrl,
    port,
    dir,
    start,
    stop,
    modify(changes: string) {
      execFileSync("ldapmodify", ["-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PW], { input: changes, stdio: "pipe" });
    },
    async cleanup() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
