/**
 * Directory import and sign-in lookup on each backend. Prints numbers, asserts nothing.
 *   npx tsx bench/directory/index.ts [--users 100000 --groups 10000 --memberships 1000000]
 *                                    [--lookups 10000] [--backend sqlite|postgres|both]
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) must allow CREATE DATABASE.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { systemActor } from "../../src/core/audit.js";
import { type ImportFiles, importDirectory } from "../../src/core/import/index.js";
import type { Store } from "../../src/store/contract.js";
import { openPostgresStore } from "../../src/store/postgres/index.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";
import { generate, loginOf, type Sizes } from "./generate.js";

const { values: args } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    groups: { type: "string", default: "10000" },
    memberships: { type: "string", default: "1000000" },
    lookups: { type: "string", default: "10000" },
    backend: { type: "string", default: "both" },
  },
});
const sizes: Sizes = { users: Number(args.users), groups: Number(args.groups), memberships: Number(args.memberships) };
const lookups = Number(args.lookups);
const backendNames = args.backend === "both" ? ["sqlite", "postgres"] : [args.backend];
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Peak RSS while `work` runs, sampled every 20 ms (and at both ends). */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakRss: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - start, peakRss: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(timer);
  }
}

async function pgQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
const adminQuery = (sql: string) => pgQuery(PG_ADMIN_URL, sql);

/** A fresh store per backend: a new SQLite file, or a new PostgreSQL database dropped afterwards. */
interface Fresh {
  store: Store;
  /** What a DBA does after a bulk load; returns a note for the table, or "". */
  afterLoad(): Promise<string>;
  dispose(): Promise<void>;
}

async function openFresh(name: string, dir: string): Promise<Fresh> {
  if (name === "sqlite") {
    const store = await openSqliteStore(join(dir, `bench-${Date.now()}.db`));
    // SQLite plans the indexed equality lookup well without statistics.
    return { store, afterLoad: async () => "", dispose: () => store.close() };
  }
  if (name !== "postgres") throw new Error(`unknown backend ${name}; use sqlite, postgres or both`);
  const db = `rb_bench_${process.pid}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${db}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${db}`;
  const store = await openPostgresStore(url.toString(), { poolSize: 4 });
  return {
    store,
    async afterLoad() {
      // The import itself runs ANALYZE after a bulk load (timed within it): without statistics the
      // planner would scan every group per lookup (~60 ms at this size) until autovacuum caught up.
      const autovacuum = (await pgQuery(url.toString(), "show autovacuum")).rows[0]?.autovacuum as string;
      return `statistics from the import's ANALYZE; autovacuum ${autovacuum}`;
    },
    async dispose() {
      await store.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    },
  };
}

/** A line on stderr as each step ends, so a long run shows where it is; the table comes at the end. */
const progress = (backend: string, step: string, ms: number) =>
  process.stderr.write(`  ${backend}: ${step} done in ${(ms / 1000).toFixed(1)} s\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Row {
  backend: string;
  step: string;
  rows: number;
  seconds: string;
  perSecond: string;
  peakRss: string;
  note: string;
}

async function benchBackend(name: string, dir: string, files: Record<keyof Sizes, string>): Promise<Row[]> {
  const out: Row[] = [];
  const { store, afterLoad, dispose } = await openFresh(name, dir);
  try {
    for (const kind of ["users", "groups", "memberships"] as const) {
      const input: ImportFiles = {
        [kind]: { name: files[kind], input: createReadStream(files[kind], { highWaterMark: 1 << 20 }) },
      };
      const { result, ms, peakRss } = await measured(() => importDirectory(store, input, { actor: systemActor }));
      const counts = result[kind];
      progress(name, `import ${kind}`, ms);
      out.push({
        backend: name,
        step: `import ${kind}`,
        rows: counts.written,
        seconds: (ms / 1000).toFixed(1),
        perSecond: Math.round(counts.written / (ms / 1000)).toLocaleString("en-US"),
        peakRss: mb(peakRss),
        note: result.errorCount ? `${result.errorCount} errors: ${result.errors[0]?.message}` : "",
      });
    }
    const loadNote = await afterLoad();
    // Ids of random users, fetched outside the timing: sign-in knows the user before it asks for groups.
    const sample = Array.from({ length: lookups }, () => loginOf(Math.floor(Math.random() * sizes.users)));
    const ids = await store.users.idsByLogin(sample);
    const userIds = sample.map((l) => ids.get(l)!);
    for (let i = 0; i < 200; i++) await store.memberships.groupsOfUser(userIds[i % userIds.length]!); // warm-up
    const times: number[] = [];
    let groupsSeen = 0;
    const { ms, peakRss } = await measured(async () => {
      for (const id of userIds) {
        const start = performance.now();
        groupsSeen += (await store.memberships.groupsOfUser(id)).length;
        times.push(performance.now() - start);
      }
    });
    progress(name, "groupsOfUser", ms);
    times.sort((a, b) => a - b);
    out.push({
      backend: name,
      step: "groupsOfUser",
      rows: lookups,
      seconds: (ms / 1000).toFixed(1),
      perSecond: Math.round(lookups / (ms / 1000)).toLocaleString("en-US"),
      peakRss: mb(peakRss),
      note: [
        `p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`,
        `${(groupsSeen / lookups).toFixed(1)} groups/user`,
        loadNote,
      ]
        .filter(Boolean)
        .join(", "),
    });
  } finally {
    await dispose();
  }
  return out;
}

function printTable(rows: Row[]): void {
  const header = ["backend", "step", "rows", "seconds", "rows/s", "peak RSS", "notes"];
  const cells = [
    header,
    ...rows.map((r) => [r.backend, r.step, r.rows.toLocaleString("en-US"), r.seconds, r.perSecond, r.peakRss, r.note]),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  for (const c of cells)
    console.log(c.map((v, i) => (i < 2 || i === 6 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  "));
}

const dir = mkdtempSync(join(tmpdir(), "rb-bench-directory-"));
try {
  const gen = await measured(() => generate(dir, sizes));
  const bytes = Object.values(gen.result).reduce((n, f) => n + statSync(f).size, 0);
  console.log(
    `rolebridge directory bench: ${sizes.users} users, ${sizes.groups} groups, ${sizes.memberships} memberships ` +
      `(${mb(bytes)} of CSV generated in ${(gen.ms / 1000).toFixed(1)} s); node ${process.version}, RSS at start ${mb(process.memoryUsage().rss)}`,
  );
  const rows: Row[] = [];
  for (const name of backendNames) {
    rows.push(...(await benchBackend(name, dir, gen.result)));
    if (global.gc) global.gc();
  }
  printTable(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
