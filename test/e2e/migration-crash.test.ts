/**
 * Process-level fault test of `migrate apply`: the real CLI is killed with SIGKILL at several points of an apply
 * (one of them in the AWS steps), restarted each time, and must end exactly where an uninterrupted apply of the
 * same estate ends — same groups, same members, same target app and assignments, the same providers and trust
 * documents in AWS (a sandbox per data dir), every step journaled once — with the proof clean.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { cliActor } from "../../src/core/audit.js";
import { openRuntime, type Runtime } from "../../src/runtime.js";
import { DEMO } from "../../src/sandbox/demo.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { BIN, cleanEnv, rolebridge, tempDir } from "../cli/run.js";

/** Four of the demo sandbox's accounts: the AWS steps set SAML up in each. */
const ACCOUNTS = [
  DEMO.accounts["acme-management"],
  DEMO.accounts["northamerica-production"],
  DEMO.accounts["northamerica-staging"],
  DEMO.accounts["europe-production"],
];
const ROLES = ["Admin", "ReadOnly", "Developer", "support/Tier1_Support", "Billing.Viewer", "Auditor", "Ops", "Data"];
const PEOPLE = 240;
const actor = cliActor();

/** A legacy estate, the same in every data dir: 240 people with 1-4 roles of their own, 8 assigned groups. */
async function seedEstate(dir: string, endpointUrl: string): Promise<void> {
  const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
  try {
    await build(rt, endpointUrl);
  } finally {
    await rt.close();
  }
}

async function build(rt: Runtime, endpointUrl: string): Promise<void> {
  const app = await rt.apps.create(actor, {
    slug: "aws-legacy",
    type: "aws-account-federation",
    label: "AWS legacy",
    settings: {
      defaultSamlProviderName: "okta",
      joinAllRoles: true,
      api: { enabled: true, connectedAccountIds: ACCOUNTS, endpointUrl },
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
  "--provider-name",
  "rolebridge-migrated",
  "--aws-from-env",
  "--admin-role",
  DEMO.memberAdminRoleName,
  "--data-dir",
  dir,
  "--yes",
];
/** The organization's administrator: the legacy app has no keys here, AWS is reached with these. */
const adminEnv = { AWS_ACCESS_KEY_ID: DEMO.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: DEMO.admin.secretAccessKey };

/** Starts an apply and SIGKILLs it once `steps` more steps (those whose progress line matches) were reported done. */
async function applyAndKill(dir: string, steps: number, matching = / done: /g): Promise<{ killed: boolean }> {
  const child = spawn(process.execPath, [BIN, ...args(dir)], {
    env: cleanEnv(adminEnv),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let done = 0;
  child.stderr.on("data", (d: Buffer) => {
    done += (d.toString().match(matching) ?? []).length;
    if (done >= steps && child.exitCode === null) child.kill("SIGKILL");
  });
  const [code, signal] = (await once(child, "exit")) as [number | null, string | null];
  return { killed: signal === "SIGKILL" && code === null };
}

/** Progress lines of the AWS steps, which come after every directory step. */
const AWS_DONE = / done: (read account|create SAML|update SAML|trust )/g;

/** What an apply leaves, by names (ids differ between data dirs). */
async function endState(dir: string, sandbox: SandboxHandle) {
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
      awsSteps: steps.filter((s) => s.kind.startsWith("aws-")).length,
      // Providers by ARN (their metadata holds each data dir's own signing key), trust documents byte for byte.
      providers: sandbox
        .state()
        .samlProviders.map((p) => p.arn)
        .sort(),
      trust: sandbox
        .state()
        .roles.map((r) => [r.arn, r.trustPolicy])
        .sort(),
    };
  } finally {
    await rt.close();
  }
}

describe("migrate apply killed with SIGKILL and resumed", () => {
  const dirs: string[] = [];
  const sandboxes: SandboxHandle[] = [];
  let expected: Awaited<ReturnType<typeof endState>>;

  beforeAll(async () => {
    const twin = tempDir("rb-mig-twin-");
    dirs.push(twin);
    const aws = await startSandbox({ fixture: "demo" });
    sandboxes.push(aws);
    await seedEstate(twin, aws.url);
    const res = await rolebridge(args(twin), { env: adminEnv });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse((await rolebridge([...args(twin), "--json"], { env: adminEnv })).stdout)).toMatchObject({
      failed: [],
    });
    expected = await endState(twin, aws);
    expect(expected.run).toBe("applied");
    expect(expected.providers.filter((p) => p.endsWith("/rolebridge-migrated")).length).toBe(ACCOUNTS.length);
  }, 300_000);
  afterAll(async () => {
    for (const s of sandboxes) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("ends in the same state as an uninterrupted apply, whatever steps the kills landed on", async () => {
    const dir = tempDir("rb-mig-crash-");
    dirs.push(dir);
    const aws = await startSandbox({ fixture: "demo" });
    sandboxes.push(aws);
    await seedEstate(dir, aws.url);
    let kills = 0;
    // Two kills in the directory steps, the third two steps into the AWS side (the directory is whole by then).
    for (const [steps, matching] of [[3], [37], [2, AWS_DONE]] as const) {
      const { killed } = await applyAndKill(dir, steps, matching);
      if (!killed) break;
      kills += 1;
      const partial = await endState(dir, aws);
      expect(partial.run).toBe("applying");
      expect(partial.steps.length).toBeLessThan(expected.steps.length);
    }
    expect(kills).toBe(3);
    const beforeResume = await endState(dir, aws);
    expect(beforeResume.awsSteps).toBeGreaterThan(0);
    const resumed = await rolebridge([...args(dir), "--json"], { env: adminEnv });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ resumed: true, state: "applied" });
    const end = await endState(dir, aws);
    expect({ ...end, target: { ...end.target, settings: { ...end.target?.settings, idpEntityId: "" } } }).toEqual({
      ...expected,
      target: { ...expected.target, settings: { ...expected.target?.settings, idpEntityId: "" } },
    });
    const again = await rolebridge([...args(dir), "--json"], { env: adminEnv });
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
