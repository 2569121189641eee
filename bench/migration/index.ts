/**
 * The migration toolkit at the issue's size. Prints numbers, asserts nothing.
 *   npx tsx bench/migration/index.ts [--accounts 500 --roles 20 --people 20000 --assignments 100000]
 *
 * A legacy API-mode estate (500 accounts × 20 roles, 20,000 people, 100,000 assigned (principal, role) pairs, a
 * quarter through group assignments) is generated into SQLite; then each phase runs in its own process, so its
 * peak RSS is its own (the kernel's maxrss): 1. inventory from the store; 2. plan, then the proof against it, with
 * every `resolveRoles` call the proof makes timed again on its own in the same process — the proof's time beside
 * the sum of those calls, both starting with the Group Filter and compiled settings caches cleared.
 * Goals (issue 9): plan + proof < 3 s and < 400 MB; proof within 2× its resolveRoles calls.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { appEntitlementsNow, entitlementInput } from "../../src/core/apps/entitlements.js";
import { inventoryFromStore } from "../../src/core/migration/inventory.js";
import type { Inventory } from "../../src/core/migration/model.js";
import { buildPlan } from "../../src/core/migration/plan.js";
import { proveAgainstPlan, simulateTarget } from "../../src/core/migration/proof.js";
import { userOf } from "../../src/core/migration/snapshot.js";
import { clearCompiledSettings } from "../../src/core/rolemap/compiled-settings.js";
import { clearGroupFilterCache } from "../../src/core/rolemap/group-filter.js";
import { resolveRoles } from "../../src/core/rolemap/resolve.js";
import type { ResolveRolesInput } from "../../src/core/rolemap/types.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { generateEstate, ISSUE_SIZE } from "./estate.js";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    accounts: { type: "string", default: String(ISSUE_SIZE.accounts) },
    roles: { type: "string", default: String(ISSUE_SIZE.rolesPerAccount) },
    people: { type: "string", default: String(ISSUE_SIZE.people) },
    assignments: { type: "string", default: String(ISSUE_SIZE.assignments) },
  },
});

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const peakKb = () => process.resourceUsage().maxRSS;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function inventoryPhase(db: string, out: string) {
  const store = await openSqliteStore(db);
  const start = performance.now();
  const inventory = await inventoryFromStore(store, "aws-legacy");
  const ms = performance.now() - start;
  writeFileSync(out, JSON.stringify(inventory));
  await store.close();
  return { ms, peak: peakKb(), people: inventory.people.length };
}

/** In its own function, so the warm-up's copy of the target is garbage by the time the proof runs. */
async function warmUp(inventory: Inventory, plan: Awaited<ReturnType<typeof buildPlan>>): Promise<void> {
  const warm = simulateTarget(inventory, plan);
  for (const p of inventory.people.slice(0, Math.ceil(inventory.people.length / 100)))
    await appEntitlementsNow(warm.sources, warm.app, userOf(p));
}

async function planProofPhase(db: string, inventoryFile: string) {
  const inventory = JSON.parse(readFileSync(inventoryFile, "utf8")) as Inventory;
  const store = await openSqliteStore(db);
  const loadedPeak = peakKb();
  const t0 = performance.now();
  const groups = (await store.groups.list({}, { limit: 1_000_000 })).items.map((g) => ({
    id: g.id,
    name: g.name,
    source: g.source,
  }));
  const plan = await buildPlan(
    inventory,
    { groups, ownedGroupIds: new Set(), target: "absent" },
    {
      to: "aws-groups",
      template: "aws#{alias}#{role}#{account}",
      source: "local",
      mode: "rules",
    },
  );
  const t1 = performance.now();
  const planPeak = peakKb();
  // Warm the JIT on the target side's code paths (the plan only ran the legacy side's) with 1 % of the people,
  // then start the proof and the side-by-side alike: compiled code warm, Group Filter match cache cold.
  await warmUp(inventory, plan);
  clearGroupFilterCache();
  clearCompiledSettings();
  // The proof's clock starts after the warm-up: the side-by-side calls below run with the JIT warmed too.
  const t1Proof = performance.now();
  const proof = await proveAgainstPlan(inventory, plan);
  const t2 = performance.now();
  const proofPeak = peakKb();

  // The same resolveRoles calls the proof makes, each timed alone: inputs gathered first, then resolved. The
  // proof asks the target side per person; the legacy side's answers are the ones the plan was built from.
  const target = simulateTarget(inventory, plan);
  const inputs: ResolveRolesInput[] = [];
  for (const p of inventory.people) inputs.push((await entitlementInput(target.sources, target.app, userOf(p))).input);
  clearGroupFilterCache();
  clearCompiledSettings();
  let resolveMs = 0;
  for (const input of inputs) {
    const start = performance.now();
    resolveRoles(input);
    resolveMs += performance.now() - start;
  }
  await store.close();
  return {
    planMs: t1 - t0,
    proofMs: t2 - t1Proof,
    warmUpMs: t1Proof - t1,
    loadedPeak,
    planPeak,
    proofPeak,
    resolveMs,
    calls: inputs.length,
    people: proof.people,
    identical: proof.identical,
    differences: proof.differences.length,
    counts: plan.counts,
  };
}

function child(phase: string, ...rest: string[]): unknown {
  const out = execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, phase, ...rest], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

async function main() {
  const [phase, ...rest] = positionals;
  if (phase === "inventory") return console.log(JSON.stringify(await inventoryPhase(rest[0]!, rest[1]!)));
  if (phase === "plan-proof") return console.log(JSON.stringify(await planProofPhase(rest[0]!, rest[1]!)));

  const size = {
    ...ISSUE_SIZE,
    accounts: Number(args.accounts),
    rolesPerAccount: Number(args.roles),
    people: Number(args.people),
    assignments: Number(args.assignments),
  };
  const dir = mkdtempSync(join(tmpdir(), "rb-bench-migration-"));
  try {
    const db = join(dir, "rolebridge.db");
    const g0 = performance.now();
    const store = await openSqliteStore(db);
    await generateEstate(store, size);
    await store.analyze();
    await store.close();
    console.log(
      `estate: ${size.accounts} accounts × ${size.rolesPerAccount} roles, ${size.people} people, ${size.assignments} assigned pairs (${size.groupShare * 100} % through groups); generated in ${s(performance.now() - g0)}; node ${process.version}`,
    );
    const inv = child("inventory", db, join(dir, "inventory.json")) as Awaited<ReturnType<typeof inventoryPhase>>;
    console.log(`inventory from the store: ${s(inv.ms)}, peak RSS ${mb(inv.peak)} (${inv.people} people reached)`);
    const r = child("plan-proof", db, join(dir, "inventory.json")) as Awaited<ReturnType<typeof planProofPhase>>;
    console.log(
      `plan: ${s(r.planMs)}, peak RSS ${mb(r.planPeak)} (${mb(r.loadedPeak)} with the inventory loaded); ${r.counts.roleGroups} role groups, ${r.counts.staticMemberships} memberships, ${r.counts.rules} rules, ${r.counts.blocking} blocking / ${r.counts.warnings} warnings`,
    );
    console.log(
      `proof: ${s(r.proofMs)} (after a ${s(r.warmUpMs)} JIT warm-up on 1 % of the people), peak RSS ${mb(r.proofPeak)}; ${r.identical}/${r.people} identical, ${r.differences} differences`,
    );
    console.log(`plan + proof: ${s(r.planMs + r.proofMs)} (goal < 3 s), peak RSS ${mb(r.proofPeak)} (goal < 400 MB)`);
    const perPerson = (r.proofMs * 1000) / r.people;
    const perCall = (r.resolveMs * 1000) / r.calls;
    console.log(
      `proof per person ${perPerson.toFixed(1)} µs beside one resolveRoles call ${perCall.toFixed(1)} µs (${r.calls} calls, ${s(r.resolveMs)} in all); proof ÷ its resolveRoles calls = ${(r.proofMs / r.resolveMs).toFixed(2)} (goal ≤ 2)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
