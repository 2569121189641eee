/**
 * Process-level fault test of `migrate apply`: the real CLI is killed with SIGKILL at several points of an apply,
 * restarted each time, and must end exactly where an uninterrupted apply of the same estate ends — same groups,
 * same members, same target app and assignments, every step journaled once — with the proof clean.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { cliActor } from "../../src/core/audit.js";
import { openRuntime, type Runtime } from "../../src/runtime.js";
import { BIN, cleanEnv, rolebridge, tempDir } from "../cli/run.js";

const ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444"];
const ROLES = ["Admin", "ReadOnly", "Developer", "support/Tier1_Support", "Billing.Viewer", "Auditor", "Ops", "Data"];
const PEOPLE = 240;
const actor = cliActor();

/** A legacy estate, the same in every data dir: 240 people with 1-4 roles of their own, 8 assigned groups. */
async function seedEstate(dir: string): Promise<void> {
  const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
  try {
    await build(rt);
  } finally {
    await rt.close();
  }
}

async function build(rt: Runtime): Promise<void> {
  const app = await rt.apps.create(actor, {
    slug: "aws-legacy",
    type: "aws-account-federation",
    label: "AWS legacy",
    settings: {
      defaultSamlProviderName: "okta",
      joinAllRoles: true,
      api: { enabled: true, connectedAccountIds: ACCOUNTS },
    },
  });
  const arn = (a: number, r: number) => `arn:aws:iam::${ACCOUNTS[a]}:role/${ROLES[r]}`;
  for (const [a, accountId] of ACCOUNTS.entries()) {
    await rt.store.roleCatalog.put({
      appId: app.id,
      accountId,
      alias: `account-${a}`,
      roles: ROLES.map((r, i) => ({
        arn: arn(a, i),
        name: r.slice(r.lastIndexOf("/") + 1),
        path: r.includes("/") ? "/support/" : "/",
      })),
      status: "ok",
      error: null,
      refreshedAt: "2026-12-01T00:00:00.000Z",
    });
  }
  const groups = [];
  for (let g = 0; g < 8; g++) {
    const group = await rt.directory.groups.create(actor, { name: `team-${g}` });
    groups.push(group);
    await rt.apps.assign(actor, app.id, "group", group.id, { samlRoles: [{ roleArn: arn(g % 4, (g + 3) % 8) }] });
  }
  for (let i = 0; i < PEOPLE; i++) {
    const login = `p${String(i).padStart(3, "0")}@example.com`;
    const user = await rt.directory.users.create(actor, {
      profile: { login, email: login, firstName: "P", lastName: String(i), displayName: null },
    });
    await rt.directory.groups.addMember(actor, groups[i % 8]!.id, user.id);
    const own = Array.from({ length: 1 + (i % 4) }, (_, k) => ({ roleArn: arn((i + k) % 4, (i * 3 + k) % 8) }));
    await rt.apps.assign(actor, app.id, "user", user.id, { samlRoles: own });
  }
}

const args = (dir: string) => [
  "migrate",
  "apply",
  "--from",
  "aws-legacy",
  "--to",
  "aws-groups",
  "--static",
  "--offline",
  "--data-dir",
  dir,
  "--yes",
];

/** Starts an apply and SIGKILLs it once `steps` more steps have been reported done. */
async function applyAndKill(dir: string, steps: number): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, [BIN, ...args(dir)], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let done = 0;
  child.stderr.on("data", (d: Buffer) => {
    done += (d.toString().match(/ done: /g) ?? []).length;
    if (done >= steps && child.exitCode === null) child.kill("SIGKILL");
  });
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  return { killed: signal === "SIGKILL" && code === null };
}

/** What an apply leaves, by names (ids differ between data dirs). */
async function endState(dir: string) {
  const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
  try {
    const groups: Record<string, string[]> = {};
    for (const g of (await rt.store.groups.list({ source: "local", q: "aws#" }, { limit: 1000 })).items) {
      const members = await rt.store.memberships.membersOfGroup(g.id, { limit: 1000 });
      groups[g.name] = members.items.map((u) => u.profile.login).sort();
    }
    const target = await rt.store.apps.getBySlug("aws-groups");
    const assignments = target ? (await rt.store.assignments.listForApp(target.id)).length : 0;
    const legacy = await rt.store.apps.getBySlug("aws-legacy");
    const run = await rt.store.migrationJournal.latestRun(legacy!.id, "aws-groups");
    const steps = run ? await rt.store.migrationJournal.steps(run.id) : [];
    return {
      groups,
      target: target ? { status: target.status, settings: target.settings } : null,
      assignments,
      run: run?.state ?? null,
      steps: steps.map((s) => `${s.key}:${s.status}`).sort(),
    };
  } finally {
    await rt.close();
  }
}

describe("migrate apply killed with SIGKILL and resumed", () => {
  const dirs: string[] = [];
  let expected: Awaited<ReturnType<typeof endState>>;

  beforeAll(async () => {
    const twin = tempDir("rb-mig-twin-");
    dirs.push(twin);
    await seedEstate(twin);
    const res = await rolebridge(args(twin));
    expect(res.code, res.stderr).toBe(0);
    expected = await endState(twin);
    expect(expected.run).toBe("applied");
  }, 300_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("ends in the same state as an uninterrupted apply, whatever steps the kills landed on", async () => {
    const dir = tempDir("rb-mig-crash-");
    dirs.push(dir);
    await seedEstate(dir);
    let kills = 0;
    for (const after of [3, 40, 60]) {
      const { killed } = await applyAndKill(dir, after);
      if (!killed) break;
      kills += 1;
      const partial = await endState(dir);
      expect(partial.run).toBe("applying");
      expect(partial.steps.length).toBeLessThan(expected.steps.length);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const resumed = await rolebridge([...args(dir), "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ resumed: true, state: "applied" });
    const end = await endState(dir);
    expect({ ...end, target: { ...end.target, settings: { ...end.target?.settings, idpEntityId: "" } } }).toEqual({
      ...expected,
      target: { ...expected.target, settings: { ...expected.target?.settings, idpEntityId: "" } },
    });
    const again = await rolebridge([...args(dir), "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ done: 0 });
    const verify = await rolebridge([
      "migrate",
      "verify",
      "--from",
      "aws-legacy",
      "--to",
      "aws-groups",
      "--data-dir",
      dir,
      "--json",
    ]);
    expect(JSON.parse(verify.stdout)).toEqual({ people: PEOPLE, identical: PEOPLE, differences: [] });
  }, 300_000);
});
