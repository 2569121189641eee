/**
 * The admin console's weight and speed, in Chromium on loopback. Prints numbers, asserts nothing.
 *   npm run build && npx tsx bench/console/index.ts [--people 100000] [--runs 5]
 * Needs Debian's chromium (scripts/ensure-services.sh). Each directory is measured side by side with a
 * ten-person one in the same run, so the ratio shows what the directory's size costs the console.
 */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { loadConfig } from "../../src/config/load.js";
import { ensureAdmin } from "../../src/core/access/admins.js";
import { createAppWithKey } from "../../src/core/apps/create.js";
import { systemActor } from "../../src/core/audit.js";
import { importDirectory } from "../../src/core/import/index.js";
import { openRuntime } from "../../src/runtime.js";
import { buildApp } from "../../src/server/app.js";
import { consoleDir } from "../../src/server/console/routes.js";
import { launchChromium } from "../../test/helpers/browser.js";
import { generate } from "../directory/generate.js";

const { values: args } = parseArgs({
  options: { people: { type: "string", default: "100000" }, runs: { type: "string", default: "5" } },
});
const RUNS = Number(args.runs);
const ADMIN = { login: "bench-admin@example.com", password: "bench-admin-password" };
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function bundleSizes() {
  const dir = consoleDir();
  if (!dir) throw new Error("the console is not built: run `npm run build` first");
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const firstPage = [...html.matchAll(/(?:src|href)="\/admin\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const all = readdirSync(join(dir, "assets")).map((f) => `assets/${f}`);
  const size = (files: string[], ext: string) =>
    files
      .filter((f) => f.endsWith(ext))
      .reduce(
        (sum, f) => {
          const body = readFileSync(join(dir, f));
          return { raw: sum.raw + body.length, gzip: sum.gzip + gzipSync(body).length };
        },
        { raw: 0, gzip: 0 },
      );
  return [
    { what: "first page JS", ...size(firstPage, ".js") },
    { what: "first page CSS", ...size(firstPage, ".css") },
    { what: "all JS", ...size(all, ".js") },
    { what: "all assets", ...size(all, "") },
  ].map((r) => ({
    what: r.what,
    raw: kb(r.raw),
    gzip: kb(r.gzip),
    goal: r.what === "first page JS" ? "< 150 KB gzip" : "",
  }));
}

/** A server on a free loopback port with `people` people (imported as a CSV would be) and one AWS app. */
async function startServer(people: number) {
  const dataDir = mkdtempSync(join(tmpdir(), "rb-bench-console-"));
  const runtime = await openRuntime(loadConfig({ env: {}, overrides: { dataDir, logLevel: "silent" } }));
  const files = await generate(dataDir, { users: people, groups: 1, memberships: 0 });
  const users = { name: files.users, input: createReadStream(files.users, { highWaterMark: 1 << 20 }) };
  await importDirectory(runtime.store, { users }, { actor: systemActor });
  await ensureAdmin(runtime.store, runtime.directory.users, systemActor, ADMIN);
  const settings = { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" };
  const input = { slug: "aws-bench", type: "aws-account-federation" as const, label: "AWS", settings };
  await createAppWithKey(runtime, systemActor, input, 2048);
  const app = await buildApp(runtime);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    async stop() {
      await app.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from navigation start until `ready` holds in the page, for a fresh visit then warm ones. */
async function measure(browser: Browser, people: number) {
  const server = await startServer(people);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  try {
    await page.goto(`${server.url}/admin/people`);
    await page.getByRole("textbox", { name: "Email" }).fill(ADMIN.login);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "People", level: 1 }).waitFor();
    const rows = Math.min(people + 1, 50);
    const timed = async (path: string, ready: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await page.goto(`${server.url}/admin${path}`);
        await ready();
        times.push(await page.evaluate(() => performance.now()));
      }
      return times;
    };
    const list = await timed("/people", () => page.locator(`table tbody tr:nth-child(${rows})`).waitFor());
    const appPage = await timed("/apps/aws-bench", () =>
      page.getByRole("table", { name: "Signing keys" }).locator("tbody tr").first().waitFor(),
    );
    // Search: from the last keystroke to the answer on screen (the console waits 250 ms for typing to pause).
    const search: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${server.url}/admin/people`);
      await page.locator("table tbody tr").first().waitFor();
      const start = Date.now();
      const query = `user${people > 10 ? 9999 : 9}`;
      await page.getByRole("searchbox", { name: "Search people" }).fill(query);
      // Answered when every row shown is a match (logins are user<i>@example.com).
      await page.waitForFunction((q) => {
        const logins = [...document.querySelectorAll("table tbody tr td:nth-child(2)")].map((td) => td.textContent);
        return logins.length > 0 && logins.every((l) => l?.startsWith(q));
      }, query);
      search.push(Date.now() - start);
    }
    return { list: median(list), appPage: median(appPage), search: median(search) };
  } finally {
    await context.close();
    await server.stop();
  }
}

const people = Number(args.people);
console.table(bundleSizes());
const browser = await launchChromium();
try {
  const small = await measure(browser, 10);
  const large = await measure(browser, people);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.table([
    {
      measure: "people list usable (navigation to 50 rows)",
      "10 people": ms(small.list),
      [`${people.toLocaleString("en-US")} people`]: ms(large.list),
      ratio: ratio(large.list, small.list),
      goal: "< 500 ms",
    },
    {
      measure: "search answered (incl. 250 ms typing pause)",
      "10 people": ms(small.search),
      [`${people.toLocaleString("en-US")} people`]: ms(large.search),
      ratio: ratio(large.search, small.search),
      goal: "",
    },
    {
      measure: "app page usable (navigation to signing keys)",
      "10 people": ms(small.appPage),
      [`${people.toLocaleString("en-US")} people`]: ms(large.appPage),
      ratio: ratio(large.appPage, small.appPage),
      goal: "",
    },
  ]);
  console.log(`medians of ${RUNS} visits each, warm cache after sign-in; Chromium ${browser.version()} on loopback`);
} finally {
  await browser.close();
}
