/**
 * Process-level fault test: kill -9 the process doing a sync (the real CLI binary, then a provisioning worker
 * draining the outbox) half-way, restart it, and check that IAM Identity Center ends exactly as the directory
 * says — every person once, every pushed group once with exactly its members — and a dry run finds nothing to do.
 *
 * The sandbox runs in this process, slowed to ~100 requests/s (the app throttles itself just below the
 * sandbox's limit) and dropping 1 % of writes after applying them, so a sync of ~480 requests takes seconds and
 * the kill lands while it runs; the test checks the remote counts at the kill to prove it did.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { createAppWithKey } from "../../src/core/apps/create.js";
import { cliActor } from "../../src/core/audit.js";
import { importDirectory } from "../../src/core/import/index.js";
import { ProvisioningWorker } from "../../src/core/provisioning/worker.js";
import { openRuntime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { BIN, cleanEnv, rolebridge } from "../cli/run.js";
import { instanceOf } from "../core/provisioning/remote.js";

const actor = cliActor();
const WORKER = resolve(import.meta.dirname, "fixtures/provisioning-worker.ts");

/** 450 assigned and active (provisioned), 15 assigned but STAGED, 15 active but unassigned (neither sent). */
const ASSIGNED_ACTIVE = 450;
const ASSIGNED_STAGED = 15;
const UNASSIGNED = 15;
const PUSHED_GROUPS = 20;
const APP_RATE = 100;
/** The app's budgets at `rate` requests a second; membership operations as good as unlimited. */
const budgets = (rate: number) => ({ readPerSecond: rate, writePerSecond: rate, membershipOpsPerSecond: 100_000 });

interface DirUser {
  id: string;
  login: string;
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  /** What AWS must end up holding: provisioned and active. */
  provisioned: boolean;
}

interface Prepared {
  dataDir: string;
  tenantId: string;
  slug: string;
  users: DirUser[];
  /** Pushed groups with the directory ids of the members AWS must hold (provisioned people only). */
  groups: Array<{ id: string; name: string; expected: string[] }>;
}

const pad = (i: number) => String(i).padStart(4, "0");

/** Who is in pushed group k: two big groups (create with 100 + PATCH batches), the rest ~48 people each. */
const inTeam = (k: number, i: number) =>
  k >= PUSHED_GROUPS - 2 ? (i + k) % 3 !== 0 : i % 20 === k || i % 20 === (k + 7) % 20;

function csv(rows: string[][]): Readable {
  return Readable.from([rows.map((r) => r.join(",")).join("\n")]);
}

/**
 * A fresh Identity Center instance (slowed, faulty) and a rolebridge data dir whose app provisions into it:
 * the directory comes in through the same import `rolebridge import` runs, the app, token and assignment
 * through the runtime API, before any child process starts.
 */
async function prepare(sandbox: SandboxHandle, tenantId: string, slug: string, seed: number): Promise<Prepared> {
  const ic = sandbox.identityCenter;
  ic.admin.createInstance({ tenantId });
  const { token } = ic.admin.createToken(tenantId);
  ic.admin.configure(tenantId, {
    // One cap over all requests, just above the app's budgets; AWS's per-class throttles off.
    rateLimitPerSecond: APP_RATE * 1.2,
    throttles: { read: null, write: null, membership: null },
    faults: { dropAfterWriteRate: 0.01 },
    seed,
  });

  const dataDir = mkdtempSync(join(tmpdir(), "rb-crash-"));
  const runtime = await openRuntime(loadConfig({ env: {}, overrides: { dataDir, logLevel: "silent" } }));
  try {
    const total = ASSIGNED_ACTIVE + ASSIGNED_STAGED + UNASSIGNED;
    const userRows = [["login", "email", "firstName", "lastName", "displayName", "status"]];
    const memberRows = [["group", "user"]];
    for (let i = 0; i < total; i++) {
      // Some logins in mixed case: AWS compares userNames case-insensitively, so must the duplicate check.
      const login = i % 7 === 0 ? `User${pad(i)}@Example.com` : `user${pad(i)}@example.com`;
      const staged = i >= ASSIGNED_ACTIVE && i < ASSIGNED_ACTIVE + ASSIGNED_STAGED;
      userRows.push([
        login,
        `user${pad(i)}@mail.example.com`,
        `First${i}`,
        `Last${i}`,
        i % 5 === 0 ? `Display ${i}` : "",
        staged ? "STAGED" : "ACTIVE",
      ]);
      if (i < ASSIGNED_ACTIVE + ASSIGNED_STAGED) memberRows.push(["aws-everyone", login]);
      for (let k = 0; k < PUSHED_GROUPS; k++) if (inTeam(k, i)) memberRows.push([`team-${pad(k)}`, login]);
    }
    const groupRows = [["name"], ["aws-everyone"]];
    for (let k = 0; k < PUSHED_GROUPS; k++) groupRows.push([`team-${pad(k)}`]);
    const report = await importDirectory(
      runtime.store,
      {
        users: { name: "users.csv", input: csv(userRows) },
        groups: { name: "groups.csv", input: csv(groupRows) },
        memberships: { name: "memberships.csv", input: csv(memberRows) },
      },
      { actor },
    );
    expect(report.committed).toBe(true);

    const users: DirUser[] = [];
    for (let i = 0; i < total; i++) {
      const row = userRows[i + 1]!;
      const user = await runtime.directory.users.get(row[0]!);
      users.push({
        id: user.id,
        login: row[0]!,
        email: row[1]!,
        firstName: row[2]!,
        lastName: row[3]!,
        displayName: row[4] || `${row[2]} ${row[3]}`,
        provisioned: i < ASSIGNED_ACTIVE,
      });
    }
    const { items } = await runtime.directory.groups.list({}, { limit: 100 });
    const groupId = (name: string) => {
      const found = items.find((g) => g.name === name);
      if (!found) throw new Error(`group ${name} was not imported`);
      return found.id;
    };
    const groupIds = Array.from({ length: PUSHED_GROUPS }, (_, k) => groupId(`team-${pad(k)}`));
    const everyone = groupId("aws-everyone");

    const app = await createAppWithKey(runtime, actor, {
      slug,
      type: "aws-iam-identity-center",
      label: "AWS IAM Identity Center",
      settings: { baseUrl: ic.scimUrl(tenantId), pushGroups: groupIds, budgets: budgets(APP_RATE) },
    });
    await runtime.provisioning.setToken(actor, app.id, token);
    await runtime.provisioning.enable(actor, app.id);
    await runtime.apps.assign(actor, app.id, "group", everyone, {});
    return {
      dataDir,
      tenantId,
      slug,
      users,
      groups: groupIds.map((id, k) => ({
        id,
        name: `team-${pad(k)}`,
        expected: users.filter((u, i) => u.provisioned && inTeam(k, i)).map((u) => u.id),
      })),
    };
  } finally {
    await runtime.close();
  }
}

/** Counts from the sandbox's admin API: cheap, and outside the SCIM rate limit the sync is using. */
function counts(sandbox: SandboxHandle, tenantId: string) {
  const found = sandbox.identityCenter.admin.listInstances().find((i) => i.tenantId === tenantId);
  return { users: found?.users ?? 0, groups: found?.groups ?? 0 };
}

interface Running {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  stderr: () => string;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, args, { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, exit, stdout: () => out, stderr: () => err };
}

/** Polls every few milliseconds until `check` holds; fails with what it saw after `timeoutMs`. */
async function waitFor(what: string, check: () => boolean, timeoutMs: number, describeState: () => unknown) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(describeState())}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits for `check`, then SIGKILLs the child at once; fails if the child ended on its own first. */
async function killWhen(run: Running, what: string, check: () => boolean, describeState: () => unknown) {
  let ended = false;
  void run.exit.then(() => {
    ended = true;
  });
  await waitFor(what, () => ended || check(), 45_000, describeState);
  if (ended) throw new Error(`the process ended before ${what}: ${run.stderr()}${run.stdout()}`);
  run.child.kill("SIGKILL");
  expect(await run.exit).toEqual({ code: null, signal: "SIGKILL" });
  // A request the child sent just before dying may still be in this process's socket buffer: let the
  // sandbox finish it, so the counts read next are final.
  await new Promise((r) => setTimeout(r, 250));
}

/** Exactly the directory on the target: no duplicates, attributes as mapped, active, exact memberships. */
function expectExact(sandbox: SandboxHandle, p: Prepared) {
  const instance = instanceOf(sandbox, p.tenantId);
  const byName = new Map<string, number>();
  const byExternal = new Map<string, (typeof instance.users)[number]>();
  for (const u of instance.users) {
    const key = String(u.attributes.userName).toLowerCase();
    byName.set(key, (byName.get(key) ?? 0) + 1);
    const ext = String(u.attributes.externalId);
    expect(byExternal.has(ext), `externalId ${ext} twice`).toBe(false);
    byExternal.set(ext, u);
  }
  expect([...byName].filter(([, n]) => n > 1)).toEqual([]);
  const wanted = p.users.filter((u) => u.provisioned);
  expect(instance.users).toHaveLength(wanted.length);
  const remoteIdOf = new Map<string, string>();
  for (const u of wanted) {
    const r = byExternal.get(u.id);
    expect(r, `user ${u.login} on the target`).toBeDefined();
    remoteIdOf.set(u.id, r!.id);
    expect({
      userName: r!.attributes.userName,
      name: r!.attributes.name,
      displayName: r!.attributes.displayName,
      emails: r!.attributes.emails,
      active: r!.attributes.active,
    }).toEqual({
      userName: u.login,
      name: { givenName: u.firstName, familyName: u.lastName },
      displayName: u.displayName,
      emails: [{ value: u.email, type: "work", primary: true }],
      active: true,
    });
  }
  for (const u of p.users.filter((x) => !x.provisioned))
    expect(byName.has(u.login.toLowerCase()), `${u.login} must not be sent`).toBe(false);

  expect(instance.groups.map((g) => g.displayName).sort()).toEqual(p.groups.map((g) => g.name).sort());
  for (const g of p.groups) {
    const r = instance.groups.find((x) => x.externalId === g.id);
    expect(r?.displayName).toBe(g.name);
    expect([...r!.memberIds].sort(), `members of ${g.name}`).toEqual(g.expected.map((id) => remoteIdOf.get(id)).sort());
    expect(new Set(r!.memberIds).size).toBe(r!.memberIds.length);
  }
}

async function expectDryRunClean(p: Prepared) {
  const dry = await rolebridge(["provisioning", "sync", "--app", p.slug, "--dry-run", "--data-dir", p.dataDir]);
  const people = p.users.filter((u) => u.provisioned).length;
  expect(dry).toEqual({
    code: 0,
    stdout: `Nothing to do: ${p.slug} is in sync (${people} people, ${p.groups.length} groups).\n`,
    stderr: "",
  });
}

describe("kill -9 mid-sync, then restart: Identity Center ends exact, with no duplicates", () => {
  let sandbox: SandboxHandle;
  const dirs: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
  });
  afterAll(async () => {
    await sandbox?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("`rolebridge provisioning sync` killed while creating people, then run again", async () => {
    const p = await prepare(sandbox, "d-00c0a5e001", "aws-sso-crash", 1);
    dirs.push(p.dataDir);
    const t = p.tenantId;

    const first = start([BIN, "provisioning", "sync", "--app", p.slug, "--data-dir", p.dataDir]);
    // Past the client's first burst, well short of everyone: the kill lands in the middle of the creates.
    await killWhen(
      first,
      "a third of the people created",
      () => counts(sandbox, t).users >= ASSIGNED_ACTIVE / 3,
      () => counts(sandbox, t),
    );
    const atKill = counts(sandbox, t);
    expect(atKill.users).toBeGreaterThan(0);
    expect(atKill.users).toBeLessThan(ASSIGNED_ACTIVE);
    // Groups fill while people are still being created (each once its members exist): not all are there yet.
    expect(atKill.groups).toBeLessThan(PUSHED_GROUPS);

    const again = start([BIN, "provisioning", "sync", "--app", p.slug, "--data-dir", p.dataDir, "--json"]);
    const { code } = await again.exit;
    expect({ code, stderr: again.stderr() }).toEqual({ code: 0, stderr: "" });
    const report = JSON.parse(again.stdout()) as { results: Array<{ kind: string; status: string }> };
    // Those the killed run created are found by the listing and never sent again.
    expect(report.results.filter((r) => r.kind === "createUser")).toHaveLength(ASSIGNED_ACTIVE - atKill.users);
    expect(report.results.filter((r) => r.status !== "ok")).toEqual([]);

    expectExact(sandbox, p);
    await expectDryRunClean(p);
  });

  it("a provisioning worker killed while pushing groups; a new worker takes the rows over once the lease ends", async () => {
    const p = await prepare(sandbox, "d-00c0a5e002", "aws-sso-crash-worker", 2);
    dirs.push(p.dataDir);
    const t = p.tenantId;

    const first = start(["--import", "tsx", WORKER, p.dataDir, "worker-a"]);
    // Groups are pushed while the rest of the people are created: wait for some groups, not all.
    await killWhen(
      first,
      "a quarter of the pushed groups created",
      () => counts(sandbox, t).groups >= PUSHED_GROUPS / 4,
      () => counts(sandbox, t),
    );
    const atKill = counts(sandbox, t);
    expect(atKill.groups).toBeGreaterThan(0);
    expect(atKill.groups).toBeLessThan(PUSHED_GROUPS);

    // The dead worker's rows are still leased to it, so no other worker may take them yet.
    const db = new Database(join(p.dataDir, "rolebridge.db"), { readonly: true });
    const rows = db.prepare("SELECT claimed_by, claimed_until FROM provisioning_outbox").all() as Array<{
      claimed_by: string | null;
      claimed_until: string | null;
    }>;
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.claimed_by).toBe("worker-a");
      expect(Date.parse(r.claimed_until!)).toBeGreaterThan(Date.now() + 60_000);
    }
    const runtime = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: p.dataDir, logLevel: "silent" } }));
    try {
      const early = await new ProvisioningWorker(runtime.store, runtime.provisioning, "worker-early").runOnce(actor);
      expect(early.claimed).toBe(0);
    } finally {
      await runtime.close();
    }

    // A new worker whose clock is past the lease (5 minutes) sees the claims as expired and takes them over.
    const second = start(["--import", "tsx", WORKER, p.dataDir, "worker-b", String(5 * 60_000 + 1_000)]);
    const { code } = await second.exit;
    expect({ code, stderr: second.stderr() }).toEqual({ code: 0, stderr: "" });
    const runs = second
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(runs.at(-1)).toEqual({ drained: true });
    const worked = runs.filter((r) => typeof r.claimed === "number");
    expect(worked.map((r) => [r.claimed, r.completed, r.released])).toEqual([[rows.length, rows.length, 0]]);
    expect(worked[0]?.apps).toEqual([{ slug: p.slug, changes: expect.any(Number), failed: 0 }]);

    expectExact(sandbox, p);
    await expectDryRunClean(p);
  });
});

/**
 * AWS never lists members, so a sync trusts the members recorded by the syncs before it. A sync killed after a
 * membership PATCH but before its record would leave that record stale, and a later directory change back to
 * the recorded state would never be sent: here X's removal reaches AWS, the sync dies, X is added back in the
 * directory, and the next sync must add X again. What makes it: each write is marked in doubt before it is
 * sent (record.ts, sync-run.ts), and the next sync re-sends what is still in doubt.
 */
describe("a membership change sent by a killed sync, then undone in the directory", () => {
  let sandbox: SandboxHandle;
  let p: Prepared;
  let group: Prepared["groups"][number];
  let x: string;
  let xRemote: string;
  const groupOnAws = () => instanceOf(sandbox, p.tenantId).groups.find((g) => g.externalId === group.id)!;
  const withRuntime = async (fn: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<unknown>) => {
    const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: p.dataDir, logLevel: "silent" } }));
    try {
      await fn(rt);
    } finally {
      await rt.close();
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
  });
  afterAll(async () => {
    await sandbox?.close();
    if (p) rmSync(p.dataDir, { recursive: true, force: true });
  });

  it("a sync is killed right after it removed X from a pushed group in AWS", async () => {
    p = await prepare(sandbox, "d-00c0a5e003", "aws-sso-stale", 3);
    sandbox.identityCenter.admin.configure(p.tenantId, { rateLimitPerSecond: null, faults: { dropAfterWriteRate: 0 } });
    expect((await rolebridge(["provisioning", "sync", "--app", p.slug, "--data-dir", p.dataDir])).code).toBe(0);
    expectExact(sandbox, p);

    // The plan handles groups in id order: X leaves the first group, then the last one is renamed, slowly
    // enough (3 requests/s) that the kill lands between the two.
    const byId = [...p.groups].sort((a, b) => (a.id < b.id ? -1 : 1));
    group = byId[0]!;
    const last = byId.at(-1)!;
    x = group.expected[0]!;
    xRemote = instanceOf(sandbox, p.tenantId).users.find((u) => u.attributes.externalId === x)!.id;
    await withRuntime(async (rt) => {
      await rt.directory.groups.removeMember(actor, group.id, x);
      await rt.directory.groups.update(actor, last.id, { name: "renamed-last" });
      await rt.apps.update(actor, p.slug, { settings: { budgets: budgets(3) } });
    });
    const killed = start([BIN, "provisioning", "sync", "--app", p.slug, "--data-dir", p.dataDir]);
    await killWhen(
      killed,
      "X removed from the group",
      () => !groupOnAws().memberIds.includes(xRemote),
      () => groupOnAws().memberIds.length,
    );
    expect(instanceOf(sandbox, p.tenantId).groups.some((g) => g.displayName === "renamed-last")).toBe(false);
  });

  it("X added back in the directory is added back in AWS by the next sync", async () => {
    await withRuntime(async (rt) => {
      await rt.directory.groups.addMember(actor, group.id, x);
      await rt.apps.update(actor, p.slug, { settings: { budgets: budgets(APP_RATE) } });
    });
    expect((await rolebridge(["provisioning", "sync", "--app", p.slug, "--data-dir", p.dataDir])).code).toBe(0);
    expect(groupOnAws().memberIds).toContain(xRemote);
  });
});
