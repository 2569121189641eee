/**
 * The SCIM budget shared by every node (kept in the database) beside the in-process token bucket it replaces.
 * Prints numbers, asserts nothing.
 *   npx tsx bench/budgets/index.ts [--takes 3000 --seconds 3 --rate 100]
 *
 * 1. Cost of one take with nothing to wait for: in-process, SQLite file, PostgreSQL (127.0.0.1:5432, a throwaway
 *    database): takes per second and p50/p99 latency, and the time an app drawing at AWS's full default budgets
 *    (40 reads + 25 writes + 100 membership operations: at most 165 takes a second) spends waiting on them.
 * 2. Two nodes (two connection pools on one database), four requesters each, drawing from one budget of
 *    `--rate` a second for `--seconds`: granted ÷ allowed (rate × time + burst) — how much of the budget the
 *    nodes together get, and that they never get more — beside one in-process bucket in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { newId } from "../../src/core/ids.js";
import { SharedBudget } from "../../src/core/provisioning/shared-budgets.js";
import { type RateLimit, type RequestBudget, systemTimer, TokenBucket } from "../../src/core/scim/rate-limit.js";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { createPgDatabase } from "../../test/helpers/backends.js";

const { values: args } = parseArgs({
  options: {
    takes: { type: "string", default: "3000" },
    seconds: { type: "string", default: "3" },
    rate: { type: "string", default: "100" },
  },
});
const TAKES = Number(args.takes);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);

interface Backend {
  name: string;
  /** Two stores (two nodes) on one fresh database. */
  open(): Promise<{ nodes: [Store, Store]; close(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: "SQLite file",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "rb-bench-budgets-"));
      const file = join(dir, "rolebridge.db");
      const nodes: [Store, Store] = [await openSqliteStore(file), await openSqliteStore(file)];
      return {
        nodes,
        async close() {
          await Promise.all(nodes.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "PostgreSQL",
    async open() {
      const db = await createPgDatabase();
      const nodes: [Store, Store] = [await openPostgresStore(db.url), await openPostgresStore(db.url)];
      return {
        nodes,
        async close() {
          await Promise.all(nodes.map((s) => s.close()));
          await db.drop();
        },
      };
    },
  },
];

async function newApp(store: Store): Promise<string> {
  const at = new Date().toISOString();
  const id = newId("app");
  const slug = `bench-${id.slice(-8).toLowerCase()}`;
  await store.apps.insert({
    id,
    slug,
    type: "aws-iam-identity-center",
    label: slug,
    status: "ACTIVE",
    settings: {},
    at,
  });
  return id;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Sequential takes from a budget that never runs dry: what each take itself costs. */
async function takeCost(budget: RequestBudget) {
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < TAKES; i++) {
    const t = performance.now();
    await budget.take();
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  return { perSecond: TAKES / seconds, p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** Requesters on each budget take until the time is up; granted ÷ what the budget allows in that time. */
async function share(budgets: RequestBudget[], limit: RateLimit) {
  let granted = 0;
  const start = Date.now();
  const until = start + SECONDS * 1000;
  const requester = async (b: RequestBudget) => {
    while (Date.now() < until) {
      await b.take();
      if (Date.now() <= until) granted++;
    }
  };
  await Promise.all(budgets.flatMap((b) => Array.from({ length: 4 }, () => requester(b))));
  return granted / (limit.burst + limit.ratePerSecond * SECONDS);
}

const fmt = (n: number, digits = 3) => n.toFixed(digits);
const open: RateLimit = { ratePerSecond: 1e9, burst: 1e9 };
const limit: RateLimit = { ratePerSecond: RATE, burst: Math.ceil(RATE / 10) };

console.log(`1. One take with nothing to wait for (${TAKES} sequential takes)`);
console.log(
  "   budget           takes/s     p50 ms   p99 ms   waiting on the database per second at AWS's full budgets",
);
const local = await takeCost(new TokenBucket(open, systemTimer));
console.log(`   in-process   ${fmt(local.perSecond, 0).padStart(11)}   ${fmt(local.p50)}    ${fmt(local.p99)}`);
const opened = [];
for (const backend of backends) {
  const db = await backend.open();
  opened.push({ backend, db });
  const cost = await takeCost(new SharedBudget(db.nodes[0], await newApp(db.nodes[0]), "write", open));
  const busyMs = 165 * cost.p50;
  console.log(
    `   ${backend.name.padEnd(12)} ${fmt(cost.perSecond, 0).padStart(11)}   ${fmt(cost.p50)}    ${fmt(cost.p99)}    ${fmt(busyMs, 1)} ms (165 takes × p50, spread over the requests)`,
  );
}

console.log(`\n2. Granted ÷ allowed, ${RATE}/s burst ${limit.burst} for ${SECONDS} s, 4 requesters per node`);
console.log(`   one in-process bucket, one node:   ${fmt(await share([new TokenBucket(limit, systemTimer)], limit))}`);
for (const { backend, db } of opened) {
  const app = await newApp(db.nodes[0]);
  const budgets = db.nodes.map((s) => new SharedBudget(s, app, "write", limit));
  console.log(`   shared, two nodes, ${backend.name.padEnd(12)}    ${fmt(await share(budgets, limit))}`);
  await db.close();
}
console.log("   (≤ 1 by construction; the load generator and both nodes share this machine's cores)");
