/**
 * One node's CPU time per request (issue 15), beside the raw work the request cannot avoid, measured in the
 * same run: node CPU per SSO beside the CPU of two raw RSA-2048 signatures, node CPU per password sign-in
 * beside the CPU of one raw argon2id verify. Rates (bench/cluster/index.ts) sink when other people load the
 * machine; CPU time per request (utime+stime of the node process, from /proc) barely does, so this is the number
 * to compare before and after a change to the per-request work. Prints numbers, asserts nothing. Linux only.
 *
 * Run: npx tsc -p tsconfig.build.json && npx tsx bench/cluster/node-cpu.ts   (BENCH_REQUESTS=2000 SSOs)
 */
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { startCluster } from "../../src/cluster/harness.js";
import { passwordSignInFlow, portalSession, ssoFlow, startLoad } from "../../src/cluster/load.js";
import { DEMO_PEOPLE, DEMO_USER_PASSWORD } from "../../src/demo/seed.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
/** The same argon2id parameters as src/core/crypto/passwords.ts. */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** This process's CPU ms for `run` (its own thread pool included, as argon2 runs there in a node too). */
async function cpuMsFor(run: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));
const data = Buffer.alloc(600, 1);
for (let i = 0; i < 50; i++) sign("sha256", data, key);
const rsaMs =
  (await cpuMsFor(() => {
    for (let i = 0; i < 1000; i++) sign("sha256", data, key);
  })) / 1000;
const stored = await hash(DEMO_USER_PASSWORD, ARGON2);
const argon2Ms =
  (await cpuMsFor(async () => {
    for (let i = 0; i < 40; i++) await verify(stored, DEMO_USER_PASSWORD);
  })) / 40;

const loadAtStart = loadavg()[0] ?? 0;
const cluster = await startCluster({ nodes: 1, logLevel: "error" });
try {
  const pid = cluster.nodes[0]?.pid;
  if (pid === undefined) throw new Error("the node has no pid");
  const session = await portalSession(cluster.url, "alice@example.com", DEMO_USER_PASSWORD);
  // Warm-up: JIT, the connection pool, the signer and settings caches.
  await startLoad({ url: cluster.url, flow: ssoFlow(session), connections: 8, amount: 1500 }).result;
  let c0 = cpuMsOf(pid);
  const sso = await startLoad({ url: cluster.url, flow: ssoFlow(session), connections: 8, amount: REQUESTS }).result;
  const ssoMs = (cpuMsOf(pid) - c0) / sso.requests;
  const logins = DEMO_PEOPLE.map((p) => p.profile.login);
  c0 = cpuMsOf(pid);
  const signIns = await startLoad({
    url: cluster.url,
    flow: passwordSignInFlow(logins, DEMO_USER_PASSWORD),
    connections: 4,
    amount: Math.max(50, Math.round(REQUESTS / 10)),
  }).result;
  const signInMs = (cpuMsOf(pid) - c0) / signIns.requests;
  if (sso.failures + signIns.failures > 0) process.stderr.write("!! some requests failed\n");
  console.log(`\nOne node on PostgreSQL behind HAProxy; 1-minute load average ${loadAtStart.toFixed(1)} at the start.`);
  console.log("| request | requests | node CPU ms/request | raw work ms (same run) | raw / node CPU |");
  console.log("|---|---|---|---|---|");
  const row = (name: string, n: number, node: number, raw: number, what: string) =>
    console.log(
      `| ${name} | ${n} | ${node.toFixed(2)} | ${raw.toFixed(2)} (${what}) | ${((100 * raw) / node).toFixed(0)} % |`,
    );
  row("SSO", sso.requests, ssoMs, 2 * rsaMs, "2 RSA-2048 signs");
  row("password sign-in", signIns.requests, signInMs, argon2Ms, "1 argon2id verify");
} finally {
  await cluster.stop();
}
