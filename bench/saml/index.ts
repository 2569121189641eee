/**
 * SAML signing throughput beside the raw RSA-2048 signing rate and samlify, measured in one run,
 * plus role resolution latency. Prints numbers, asserts nothing. Run: npx tsx bench/saml/index.ts
 */
import { createPrivateKey, sign } from "node:crypto";
import {
  buildSignedResponse,
  createXmlSigner,
  generateSigningKey,
  type RolePairValue,
} from "../../src/core/saml/index.js";
import { benchResolve } from "./resolve-bench.js";
import { samlifyBaseline } from "./samlify-baseline.js";

const TOTAL_SIGNING_MS = Number(process.env.BENCH_SIGNING_MS ?? 24_000);
const SLICE_MS = 250;

interface Contender {
  label: string;
  run: () => unknown;
  count: number;
  elapsedMs: number;
}

/**
 * Interleaves short slices of every contender so that load from other processes (a shared
 * 2-core machine) hits them all alike, instead of skewing whichever ran during a busy phase.
 */
async function interleaved(contenders: Contender[], totalMs: number): Promise<void> {
  for (const contender of contenders) for (let i = 0; i < 10; i += 1) await contender.run(); // warm-up
  const deadline = performance.now() + totalMs;
  while (performance.now() < deadline) {
    for (const contender of contenders) {
      const start = performance.now();
      let now = start;
      while (now - start < SLICE_MS) {
        await contender.run();
        contender.count += 1;
        now = performance.now();
      }
      contender.elapsedMs += now - start;
    }
  }
}

const perSecond = (c: Contender) => c.count / (c.elapsedMs / 1000);

const key = await generateSigningKey({ modulusLength: 2048 });
const signer = createXmlSigner(key.privateKeyPem, key.certificatePem);
const privateKey = createPrivateKey(key.privateKeyPem);
const roles: RolePairValue[] = Array.from({ length: 5 }, (_, i) => ({
  roleArn: `arn:aws:iam::${100000000000 + i}:role/Engineer-${i}`,
  providerArn: `arn:aws:iam::${100000000000 + i}:saml-provider/rolebridge`,
}));
const common = {
  issuer: "https://idp.example.com/saml/metadata",
  nameId: "alice@example.com",
  roles,
  roleSessionName: "alice@example.com",
};
const options = { ...common, partition: "aws" as const, sessionDurationSeconds: 3600 };
// SignedInfo is ~900 bytes; the raw rate signs a buffer of that size.
const signedInfoSized = Buffer.alloc(900, 0x61);

const baseline = samlifyBaseline({ ...common, privateKeyPem: key.privateKeyPem, certificatePem: key.certificatePem });
const contenders: Contender[] = [
  { label: "raw node:crypto RSA-2048 SHA-256 signatures", run: () => sign("sha256", signedInfoSized, privateKey) },
  { label: "rolebridge responses, response + assertion signed", run: () => buildSignedResponse(signer, options) },
  {
    label: "rolebridge responses, assertion signed",
    run: () => buildSignedResponse(signer, { ...options, signResponse: false }),
  },
  { label: "samlify responses, response + assertion signed", run: () => baseline.createResponse() },
].map((c) => ({ ...c, count: 0, elapsedMs: 0 }));

console.log(
  `node ${process.version}, RSA-2048, 5 roles, one core, ${TOTAL_SIGNING_MS / 1000} s interleaved in ${SLICE_MS} ms slices\n`,
);
await interleaved(contenders, TOTAL_SIGNING_MS);
for (const c of contenders) console.log(`${c.label.padEnd(52)} ${perSecond(c).toFixed(0).padStart(8)} /s`);
const [raw, both, assertionOnly, samlifyBoth] = contenders.map(perSecond) as [number, number, number, number];

console.log("");
console.log(
  `efficiency, both signed    = ${(((both * 2) / raw) * 100).toFixed(1)} %  (rate × 2 signatures ÷ raw rate; goal ≥ 80 %)`,
);
console.log(`efficiency, assertion only = ${((assertionOnly / raw) * 100).toFixed(1)} %`);
console.log(`ratio vs samlify, both     = ${(both / samlifyBoth).toFixed(1)}×  (goal ≥ 5×)`);

console.log("\nresolveRoles: user in 500 groups out of 1,000,000 (Group Filter = rolebridge default)");
const resolve = benchResolve(Number(process.env.BENCH_RESOLVE_MS ?? 8000));
console.log(
  `cold (names never seen): p50 ${resolve.coldP50Us.toFixed(0)} µs, p99 ${resolve.coldP99Us.toFixed(0)} µs over ${resolve.users} users, ` +
    `${resolve.rolesPerUser.toFixed(0)} roles each`,
);
console.log(`warm (same user again):  p50 ${resolve.warmP50Us.toFixed(0)} µs, p99 ${resolve.warmP99Us.toFixed(0)} µs`);
