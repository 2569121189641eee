import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { cliActor } from "../../src/core/audit.js";
import { seedAwsDemo } from "../../src/demo/aws.js";
import { seedDemo } from "../../src/demo/seed.js";
import { openRuntime } from "../../src/runtime.js";
import { DEMO } from "../../src/sandbox/demo.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { rolebridge, tempDir } from "./run.js";

/** The Role attribute's (provider, role) pairs in a base64 SAMLResponse, sorted. */
function rolePairs(samlResponse: string): string[] {
  const xml = Buffer.from(samlResponse, "base64").toString("utf8");
  const attribute =
    /Name="https:\/\/aws\.amazon\.com\/SAML\/Attributes\/Role"[^>]*>(.*?)<\/saml2?:Attribute>/s.exec(xml)?.[1] ?? "";
  return [...attribute.matchAll(/<saml2?:AttributeValue[^>]*>([^<]*)</g)].map((m) => m[1]!).sort();
}

/** The contract, on a data dir seeded as `serve --demo` seeds it (the sandbox stays up for AWS reads). */
describe("rolebridge migrate on a demo data dir", () => {
  let sandbox: SandboxHandle;
  let dir: string;
  let trustAtStart: unknown[];
  const adminKeys = { AWS_ACCESS_KEY_ID: DEMO.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: DEMO.admin.secretAccessKey };
  const adminArgs = ["--aws-from-env", "--admin-role", DEMO.memberAdminRoleName];
  const migrate = (command: string, ...extra: string[]) =>
    rolebridge(["migrate", command, "--from", "aws-legacy", "--to", "aws-groups", "--data-dir", dir, ...extra], {
      env: adminKeys,
    });

  beforeAll(async () => {
    dir = tempDir("rb-migrate-");
    sandbox = await startSandbox({ fixture: "demo" });
    const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
    try {
      await seedDemo(rt, cliActor());
      await seedAwsDemo(rt, sandbox, cliActor());
      trustAtStart = sandbox.state().roles.map((r) => [r.arn, r.trustPolicy]);
    } finally {
      await rt.close();
    }
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports an Okta export as a legacy-mode app, and says when it is not equivalent", async () => {
    const okta = resolve(import.meta.dirname, "../../fixtures/okta-export/basic");
    const res = await rolebridge([
      "migrate",
      "import-okta",
      "--export",
      okta,
      "--slug",
      "aws-okta",
      "--data-dir",
      dir,
      "--json",
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ equivalent: true, written: true, people: 4 });
    const missing = await rolebridge([
      "migrate",
      "import-okta",
      "--export",
      join(dir, "nothing"),
      "--slug",
      "aws-okta2",
      "--data-dir",
      dir,
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("does not exist");
  });

  it("plan --json prints the plan, with the findings the demo estate is built to show", async () => {
    const res = await migrate("plan", "--json");
    expect(res.code).toBe(0);
    const plan = JSON.parse(res.stdout) as {
      format: string;
      roleGroups: Array<{ name: string }>;
      findings: Array<{ kind: string; severity: string }>;
      counts: { blocking: number };
    };
    expect(plan.format).toBe("rolebridge.migration.plan");
    expect(plan.roleGroups.map((g) => g.name)).toContain(
      "aws#northamerica-production#support/Tier1_Support#222233334444",
    );
    expect(new Set(plan.findings.map((f) => f.kind))).toEqual(
      new Set(["role-missing-in-aws", "name-in-other-source", "static-copy"]),
    );
    expect(plan.counts.blocking).toBe(0);
    const human = await migrate("plan");
    expect(human.stdout).toContain("ROLE GROUP");
    expect(human.stdout).toContain("role-missing-in-aws");
  });

  it("verify proves the plan, apply applies it, and the target then signs everyone in with the same pairs", async () => {
    const before = await migrate("verify", "--json");
    expect(before.code).toBe(0);
    const proof = JSON.parse(before.stdout) as { people: number; identical: number; differences: unknown[] };
    expect(proof).toEqual({ people: proof.people, identical: proof.people, differences: [] });
    expect(proof.people).toBe(5);

    expect((await migrate("apply")).code).toBe(2);
    const dry = await migrate("apply", "--dry-run");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("create app aws-groups");
    expect(dry.stdout).toMatch(/account 222233334444: reading its SAML providers and role trust failed: AccessDenied/);
    const trustBefore = sandbox.state().roles.map((r) => [r.arn, r.trustPolicy]);
    // The legacy app's keys may only list roles: every account refuses, each reported, and the apply still succeeds.
    const applied = await migrate("apply", "--yes");
    expect(applied.stderr).toMatch(/apply \d+\/\d+ done: create group/);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/FAILED account 222233334444: .*AccessDenied/);
    expect(applied.stdout).toContain("--aws-from-env");
    // With the organization's administrator, the next apply finishes the AWS side.
    const admin = await migrate("apply", "--yes", "--json", ...adminArgs);
    expect(admin.code, admin.stderr).toBe(0);
    const outcome = JSON.parse(admin.stdout) as { failed: unknown[]; done: number; providersLeft: string[] };
    expect(outcome.failed).toEqual([]);
    expect(outcome.done).toBeGreaterThan(0);
    // The legacy provider names are kept: their metadata stays the legacy app's until cut-over, and the demo's
    // roles already trust those providers for AWS's ACS, so no trust document needs a change.
    expect(outcome.providersLeft).toContain("222233334444");
    expect(sandbox.state().roles.map((r) => [r.arn, r.trustPolicy])).toEqual(trustBefore);
    const live = await migrate("verify", "--json");
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout)).toEqual({ people: 5, identical: 5, differences: [] });

    let signedIn = 0;
    for (const login of ["alice", "bob", "carol", "dave", "erin"].map((n) => `${n}@example.com`)) {
      const legacy = await rolebridge([
        "saml",
        "preview",
        "--app",
        "aws-legacy",
        "--user",
        login,
        "--data-dir",
        dir,
        "--json",
      ]);
      const target = await rolebridge([
        "saml",
        "preview",
        "--app",
        "aws-groups",
        "--user",
        login,
        "--data-dir",
        dir,
        "--json",
      ]);
      // Someone the legacy app grants no role gets no Response from either app.
      expect(target.code, target.stderr).toBe(legacy.code);
      if (legacy.code !== 0) continue;
      const pairs = (r: typeof legacy) => rolePairs((JSON.parse(r.stdout) as { samlResponse: string }).samlResponse);
      expect(pairs(target)).toEqual(pairs(legacy));
      expect(pairs(target).length).toBeGreaterThan(0);
      signedIn += 1;
    }

    expect(signedIn).toBeGreaterThanOrEqual(4);

    const again = await migrate("apply", "--yes", "--json", ...adminArgs);
    expect(JSON.parse(again.stdout)).toMatchObject({ resumed: true, done: 0 });
  });

  it("reports the migration as Markdown and as one self-contained HTML page", async () => {
    const md = await migrate("report");
    expect(md.code).toBe(0);
    expect(md.stdout).toContain("State: applied");
    expect(md.stdout).toContain("Proof against live: 5 of 5 people identical");
    const out = join(dir, "report.html");
    expect((await migrate("report", "--format", "html", "--out", out)).code).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain("222233334444");
  });

  it("cuts over, rolls back to the legacy app, then removes what apply created", async () => {
    const apps = async () =>
      JSON.parse((await rolebridge(["apps", "list", "--data-dir", dir, "--json"])).stdout) as Array<{
        slug: string;
        status: string;
      }>;
    // The kept `okta` providers are switched to the new app's metadata at cut-over: the legacy keys may not.
    const refused = await migrate("cutover", "--yes");
    expect([refused.code, refused.stderr]).toEqual([5, expect.stringMatching(/cut-over refused: the SAML provider/)]);
    expect((await apps()).find((a) => a.slug === "aws-legacy")?.status).toBe("ACTIVE");
    expect((await migrate("cutover", "--yes", ...adminArgs)).code).toBe(0);
    expect((await apps()).find((a) => a.slug === "aws-legacy")?.status).toBe("INACTIVE");
    const back = await migrate("rollback", "--yes", "--json", ...adminArgs);
    expect(JSON.parse(back.stdout)).toMatchObject({ legacyReactivated: true });
    expect((await apps()).find((a) => a.slug === "aws-legacy")?.status).toBe("ACTIVE");
    const removed = await migrate("rollback", "--yes", "--json", ...adminArgs);
    expect(JSON.parse(removed.stdout)).toMatchObject({ state: "rolled_back" });
    expect(sandbox.state().roles.map((r) => [r.arn, r.trustPolicy])).toEqual(trustAtStart);
    expect((await apps()).map((a) => a.slug)).not.toContain("aws-groups");
    const none = await migrate("rollback", "--yes");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("no applied migration");
  });
});
