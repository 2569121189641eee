import { GetUserPolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../../src/core/audit.js";
import { PolicyService } from "../../../src/core/policy/service.js";
import type { Runtime } from "../../../src/runtime.js";
import { DEMO, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { clients } from "../../sandbox/helpers/sandbox.js";
import { awsCli } from "./aws-cli.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const accounts = Object.values(DEMO.accounts);

describe.each(backends)("policy audit, fix and rollback against the sandbox on $name", (backend) => {
  let rt: Runtime;
  let sandbox: SandboxHandle;
  let cleanup: () => Promise<void>;
  let policy: PolicyService;

  beforeAll(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backend));
    sandbox = await startSandbox({ fixture: "demo" });
    policy = new PolicyService(rt.store, rt.apps, rt.legacyApi, rt.secrets, rt.clock, { verifyDelaysMs: [0] });
    await rt.apps.create(actor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS (API mode)",
      settings: {
        defaultSamlProviderName: "okta",
        api: { enabled: true, endpointUrl: sandbox.url, connectedAccountIds: accounts },
      },
    });
    await rt.legacyApi.setCredentials(actor, "aws-legacy", DEMO.apiUser);
    await policy.setAdminCredentials(actor, "aws-legacy", DEMO.admin);
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("audit finds the wildcard AssumeRole, the unneeded actions and the account-wide trust", async () => {
    const { findings, principalArn } = await policy.audit("aws-legacy");
    expect(principalArn).toBe(DEMO.apiUser.arn);
    expect(findings[0]).toMatchObject({
      severity: "high",
      code: "assume_role_wildcard",
      policy: "inline:okta-legacy-api-mode",
      statement: 0,
    });
    expect(findings.filter((f) => f.code === "trust_too_broad")).toHaveLength(accounts.length - 1);
    expect(findings.map((f) => f.code)).not.toContain("integration_call_denied");
    expect(findings.map((f) => f.code)).not.toContain("cannot_read");
    // The cross-account role may not read its own policies in the demo: said, per account, as information.
    expect(
      findings.filter((f) => f.code === "cannot_read_role" && f.severity === "info").map((f) => f.message),
    ).toContainEqual(
      expect.stringMatching(
        /lack iam:ListRolePolicies on arn:aws:iam::222233334444:role\/Okta-Idp-cross-account-role: its inline policies were not checked/,
      ),
    );
  });

  it("fix narrows it, proves it, and the AWS CLI with the user's keys can assume only the cross-account role", async () => {
    const dry = await policy.fix(actor, "aws-legacy", { dryRun: true });
    expect(dry).toMatchObject({
      dryRun: true,
      changed: true,
      backupId: null,
      target: { kind: "inline", policyName: "okta-legacy-api-mode" },
    });
    const unchanged = await clients(sandbox, DEMO.admin).iam.send(
      new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }),
    );
    expect(JSON.parse(decodeURIComponent(unchanged.PolicyDocument!)).Statement[0].Resource).toBe("*");

    const fixed = await policy.fix(actor, "aws-legacy");
    expect(fixed.proof.every((r) => r.ok)).toBe(true);
    expect(fixed.backupId).toMatch(/^pbk_/);
    const after = JSON.parse(
      decodeURIComponent(
        (
          await clients(sandbox, DEMO.admin).iam.send(
            new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }),
          )
        ).PolicyDocument!,
      ),
    );
    expect(after.Statement[1].Resource).toEqual(
      accounts.slice(1).map((a) => `arn:aws:iam::${a}:role/${DEMO.crossAccountRoleName}`),
    );

    const target = DEMO.accounts["northamerica-production"];
    const cross = await awsCli(sandbox.url, DEMO.apiUser, [
      "sts",
      "assume-role",
      "--role-arn",
      `arn:aws:iam::${target}:role/${DEMO.crossAccountRoleName}`,
      "--role-session-name",
      "after-fix",
    ]);
    expect(cross.code, cross.stderr).toBe(0);
    expect(JSON.parse(cross.stdout).AssumedRoleUser.Arn).toBe(
      `arn:aws:sts::${target}:assumed-role/${DEMO.crossAccountRoleName}/after-fix`,
    );
    const admin = await awsCli(sandbox.url, DEMO.apiUser, [
      "sts",
      "assume-role",
      "--role-arn",
      `arn:aws:iam::${target}:role/Admin`,
      "--role-session-name",
      "after-fix",
    ]);
    expect(admin.code).not.toBe(0);
    expect(admin.stderr).toMatch(/AccessDenied/);

    const refreshed = await rt.legacyApi.refresh(actor, "aws-legacy");
    expect(refreshed.accounts.map((a) => [a.accountId, a.status])).toEqual(accounts.map((a) => [a, "ok"]));
    expect(refreshed.accounts.every((a) => a.roleCount > 0)).toBe(true);

    const audit = await policy.audit("aws-legacy");
    expect(audit.findings.filter((f) => f.severity === "high")).toEqual([]);
    expect((await policy.fix(actor, "aws-legacy")).changed).toBe(false);

    const log = await rt.store.log.list({}, { limit: 50 });
    expect(log.items.filter((e) => e.action === "application.aws.policy.fix").map((e) => e.summary.status)).toEqual(
      expect.arrayContaining(["applying", "applied"]),
    );
  });

  it("rollback restores the saved policy, and a second rollback has nothing to restore", async () => {
    await policy.rollback(actor, "aws-legacy");
    const restored = await clients(sandbox, DEMO.admin).iam.send(
      new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }),
    );
    expect(JSON.parse(decodeURIComponent(restored.PolicyDocument!)).Statement[0]).toMatchObject({
      Action: "sts:AssumeRole",
      Resource: "*",
    });
    await expect(policy.rollback(actor, "aws-legacy")).rejects.toMatchObject({ code: "conflict" });
  });
});
