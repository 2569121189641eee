/**
 * Several nodes behind HAProxy (issue 15): for N = 1, 2, 3 nodes on one PostgreSQL database, SSO responses/s
 * and latency through HAProxy beside the raw RSA-2048 signing rate, password sign-ins/s beside the raw argon2id
 * rate with the same parameters, and SSO p99 at half the saturation rate. Each raw rate is measured in this
 * run, right before the HTTP numbers it is compared with. Prints numbers, asserts nothing.
 *
 * The load generator (autocannon), HAProxy, the nodes and PostgreSQL all share this machine's cores (2 in CI
 * and on the team's machines): adding nodes adds processes, not cores.
 *
 * Run: npm run bench:cluster   (BENCH_SECONDS=8 per measurement by default)
 */
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { startCluster } from "../../src/cluster/harness.js";
import { describeLoad, passwordSignInFlow, portalSession, ssoFlow, startLoad } from "../../src/cluster/load.js";
import { DEMO_PEOPLE, DEMO_USER_PASSWORD } from "../../src/demo/seed.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const NODES = (process.env.BENCH_NODES ?? "1,2,3").split(",").map(Number);

/** The same argon2id parameters as src/core/crypto/passwords.ts (OWASP's minimum). */
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Raw RSA-2048 SHA-256 signatures per second on one thread (what one node's event loop can do at best). */
function rawRsaPerSecond(ms = 3_000): number {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = createPrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }));
  const data = Buffer.alloc(600, 1);
  for (let i = 0; i < 20; i++) sign("sha256", data, key);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    sign("sha256", data, key);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Raw argon2id verifications per second, as many at once as the libuv pool runs (what a node does). */
async function rawArgon2PerSecond(ms = 3_000, concurrency = 4): Promise<number> {
  const stored = await hash(DEMO_USER_PASSWORD, ARGON2);
  let n = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < ms) {
        await verify(stored, DEMO_USER_PASSWORD);
        n++;
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

interface Row {
  nodes: number;
  rsa: number;
  sso: number;
  p50: number;
  p99: number;
  halfRate: number;
  halfP99: number;
  argon2: number;
  signIns: number;
}

const rows: Row[] = [];
/** Other work on the machine (other people's processes) shows here: the numbers are only as quiet as it was. */
const loadAtStart = loadavg()[0] ?? 0;
const log = (line: string) => process.stderr.write(`${line}\n`);

for (const nodes of NODES) {
  log(`\n== ${nodes} node(s): starting the cluster`);
  const cluster = await startCluster({ nodes, logLevel: "error" });
  try {
    const session = await portalSession(cluster.url, "alice@example.com", DEMO_USER_PASSWORD);
    const sso = ssoFlow(session);
    // Warm-up: JIT, connection pools, every node's caches.
    await startLoad({ url: cluster.url, flow: sso, connections: 8, durationSeconds: 2 }).result;

    const rsa = rawRsaPerSecond();
    const saturated = await startLoad({ url: cluster.url, flow: sso, connections: 16, durationSeconds: SECONDS })
      .result;
    log(`saturation  ${describeLoad(saturated)}`);
    const halfRate = Math.max(1, Math.round(saturated.perSecond / 2));
    const half = await startLoad({
      url: cluster.url,
      flow: sso,
      connections: 16,
      durationSeconds: SECONDS,
      overallRate: halfRate,
    }).result;
    log(`half rate   ${describeLoad(half)}`);

    const argon2 = await rawArgon2PerSecond();
    const logins = DEMO_PEOPLE.map((p) => p.profile.login);
    // At most 4 attempts in flight, over every demo login: well under the per-person sign-in throttle.
    const signIns = await startLoad({
      url: cluster.url,
      flow: passwordSignInFlow(logins, DEMO_USER_PASSWORD),
      connections: 4,
      durationSeconds: SECONDS,
    }).result;
    log(`sign-in     ${describeLoad(signIns)}`);
    if (saturated.failures + half.failures + signIns.failures > 0) log("!! some requests failed (see above)");

    rows.push({
      nodes,
      rsa,
      sso: saturated.perSecond,
      p50: saturated.latencyMs.p50,
      p99: saturated.latencyMs.p99,
      halfRate,
      halfP99: half.latencyMs.p99,
      argon2,
      signIns: signIns.perSecond,
    });
  } finally {
    await cluster.stop();
  }
}

const f = (n: number, d = 0) => n.toFixed(d);
const pct = (a: number, b: number) => `${f((100 * a) / b)} %`;
console.log(
  `\nCluster bench: N nodes on one PostgreSQL database behind HAProxy, ${SECONDS} s per measurement, ` +
    `${availableParallelism()} cores shared by the load generator, HAProxy, the nodes and PostgreSQL.`,
);
console.log(
  `1-minute load average: ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end.`,
);
console.log("SSO: GET /app/aws-demo/sso/saml with a session cookie -> signed SAML Response (2 RSA signatures).");
console.log(
  "| nodes | raw RSA-2048 signs/s | SSO responses/s | SSO vs raw/2 | p50 ms | p99 ms | p99 ms at half rate (req/s) | raw argon2id verifies/s | password sign-ins/s | sign-in vs raw |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.nodes} | ${f(r.rsa)} | ${f(r.sso, 1)} | ${pct(r.sso, r.rsa / 2)} | ${r.p50} | ${r.p99} | ${r.halfP99} (${r.halfRate}) | ${f(r.argon2, 1)} | ${f(r.signIns, 1)} | ${pct(r.signIns, r.argon2)} |`,
  );
}
