import {
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteRoleCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { defaultAwsClients } from "../../../../src/core/aws/clients.js";
import { DomainError } from "../../../../src/core/errors.js";
import {
  AccountSessions,
  applyAccounts,
  planAccounts,
  readAccountStates,
  runStep,
  type SamlStep,
  type SamlTarget,
  type StepResult,
  stepsForPlan,
  undoStep,
} from "../../../../src/core/migration/aws-saml/index.js";
import type { SandboxHandle } from "../../../../src/sandbox/index.js";
import { AWS_ACS, idpMetadata, samlResponse } from "../../../sandbox/helpers/saml.js";
import { ADMIN, clients, demoSandbox, MANAGEMENT, NA_PROD } from "../../../sandbox/helpers/sandbox.js";

const PROVIDER_NAME = "rolebridge-groups";
const target: SamlTarget = { providerName: PROVIDER_NAME, metadata: idpMetadata(), acsUrls: [AWS_ACS] };
const roleArn = (account: string, pathAndName: string) => `arn:aws:iam::${account}:role/${pathAndName}`;
const providerArn = (account: string) => `arn:aws:iam::${account}:saml-provider/${PROVIDER_NAME}`;
const MAPPED = new Map<string, string[]>([
  [MANAGEMENT, [roleArn(MANAGEMENT, "ReadOnly")]],
  [NA_PROD, [roleArn(NA_PROD, "Admin"), roleArn(NA_PROD, "support/Tier1_Support")]],
]);

let sandbox: SandboxHandle;
const awsTarget = () => ({ partition: "aws" as const, region: "us-east-1", endpointUrl: sandbox.url });
const sessions = (opts: { roleName?: string } = {}, credentials = ADMIN) =>
  new AccountSessions(defaultAwsClients, awsTarget(), credentials, opts);

/** Everything the SAML setup can touch, as the sandbox holds it: byte-exact trust texts and providers. */
function snapshot() {
  const state = sandbox.state();
  return {
    trust: state.roles.map((r) => [r.arn, r.trustPolicy]),
    providers: state.samlProviders.map((p) => [p.arn, p.metadata]),
  };
}

async function allSteps(): Promise<SamlStep[]> {
  const planned = await planAccounts(sessions(), target, MAPPED);
  return planned.flatMap((o) => stepsForPlan(o.plan!, target));
}

async function runAll(steps: SamlStep[], s = sessions()): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of steps) results.push(await runStep(await s.open(step.accountId), step));
  return results;
}

async function undoAll(steps: SamlStep[], results: Array<StepResult | undefined>, s = sessions()) {
  for (let i = steps.length - 1; i >= 0; i--) await undoStep(await s.open(steps[i]!.accountId), steps[i]!, results[i]);
}

beforeEach(async () => {
  await sandbox?.close();
  sandbox = await demoSandbox();
});
afterAll(() => sandbox?.close());

describe("SAML setup executors against the sandbox", () => {
  it("apply reaches the planned state, a second plan is empty, and the role can be assumed with SAML", async () => {
    const steps = await allSteps();
    expect(steps.map((s) => s.kind)).toEqual(["provider", "trust", "provider", "trust", "trust"]);
    const results = await runAll(steps);
    expect(results.filter((r) => r.kind === "provider").every((r) => r.created)).toBe(true);
    const after = sandbox.state();
    for (const account of MAPPED.keys()) {
      expect(after.samlProviders.find((p) => p.arn === providerArn(account))?.metadata).toBe(target.metadata);
    }
    const again = await planAccounts(sessions(), target, MAPPED);
    expect(again.map((o) => o.plan?.empty)).toEqual([true, true]);
    expect(await runAll(steps)).toEqual(
      results.map((r) => (r.kind === "provider" ? { ...r, outcome: "unchanged" } : r)),
    );
    const sts = new STSClient({ endpoint: sandbox.url, region: "us-east-1", maxAttempts: 1 });
    const admin = roleArn(NA_PROD, "Admin");
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: admin,
        PrincipalArn: providerArn(NA_PROD),
        SAMLAssertion: samlResponse({ roles: [`${admin},${providerArn(NA_PROD)}`] }),
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${NA_PROD}:assumed-role/Admin/alice@example.com`);
  });

  it("undo restores every trust document byte for byte and deletes only the providers it created", async () => {
    const before = snapshot();
    const steps = await allSteps();
    const results = await runAll(steps);
    expect(snapshot()).not.toEqual(before);
    await undoAll(steps, results);
    expect(snapshot()).toEqual(before);
    // Undo again: nothing left to take back, nothing else touched.
    await undoAll(steps, results);
    expect(snapshot()).toEqual(before);
  });

  it("after a crash between the AWS write and the journal record, re-running and undoing still end exact", async () => {
    const before = snapshot();
    const steps = await allSteps();
    // The first three steps reached AWS but their results were lost with the process.
    await runAll(steps.slice(0, 3));
    const resumed = await runAll(steps);
    expect(resumed[0]).toMatchObject({ kind: "provider", outcome: "unchanged", created: true });
    expect(resumed[1]).toMatchObject({ kind: "trust", outcome: "added" });
    expect((await planAccounts(sessions(), target, MAPPED)).every((o) => o.plan?.empty)).toBe(true);
    await undoAll(steps, resumed);
    expect(snapshot()).toEqual(before);

    // A crash with no result recorded at all: undo decides from the step's own plan fields.
    await runAll(steps.slice(0, 4));
    await undoAll(steps, []);
    expect(snapshot()).toEqual(before);
  });

  it("an updated provider gets its old metadata back; a statement someone else wrote stays", async () => {
    const old = idpMetadata(undefined, "https://old.rolebridge.test/saml/metadata");
    const { iam } = clients(sandbox, ADMIN);
    await iam.send(new CreateSAMLProviderCommand({ Name: PROVIDER_NAME, SAMLMetadataDocument: old }));
    const only = new Map([[MANAGEMENT, [roleArn(MANAGEMENT, "ReadOnly")]]]);
    const [planned] = await planAccounts(sessions(), target, only);
    expect(planned!.plan!.provider.action).toBe("update");
    const steps = stepsForPlan(planned!.plan!, target);
    const original = JSON.parse(planned!.plan!.roles[0]!.before!).Statement;
    const results = await runAll(steps);
    expect(results[0]).toMatchObject({ outcome: "updated", created: false, previousMetadata: old });
    const readOnly = roleArn(MANAGEMENT, "ReadOnly");
    const trustOf = () => JSON.parse(sandbox.state().roles.find((r) => r.arn === readOnly)!.trustPolicy);
    const theirs = {
      Sid: "Auditors",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
      Action: "sts:AssumeRole",
    };
    const changed = trustOf();
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "ReadOnly",
        PolicyDocument: JSON.stringify({ ...changed, Statement: [...changed.Statement, theirs] }),
      }),
    );
    await undoAll(steps, results);
    expect(sandbox.state().samlProviders.find((p) => p.arn === providerArn(MANAGEMENT))?.metadata).toBe(old);
    expect(trustOf().Statement).toEqual([...original, theirs]);
  });

  it("AssumeRole refused, an unreachable endpoint and a deleted role are per-item remote failures", async () => {
    const denied = await planAccounts(sessions({ roleName: "Admin" }), target, MAPPED);
    expect(denied.find((o) => o.accountId === MANAGEMENT)?.plan).not.toBeNull();
    expect(denied.find((o) => o.accountId === NA_PROD)).toMatchObject({
      plan: null,
      error: {
        code: "remote_failed",
        details: { accountId: NA_PROD, reason: "access_denied", awsCode: "AccessDenied" },
      },
    });
    expect(denied.find((o) => o.accountId === NA_PROD)?.error?.message).toMatch(
      /AssumeRole into arn:aws:iam::222233334444:role\/Admin failed: AccessDenied/,
    );

    const nowhere = new AccountSessions(
      defaultAwsClients,
      { partition: "aws", region: "us-east-1", endpointUrl: "http://127.0.0.1:9" },
      ADMIN,
    );
    const unreachable = await planAccounts(nowhere, target, MAPPED);
    expect(unreachable.map((o) => [o.plan, o.error?.code, o.error?.details.reason])).toEqual([
      [null, "remote_failed", "unreachable"],
      [null, "remote_failed", "unreachable"],
    ]);

    const { iam } = clients(sandbox, ADMIN);
    const doomed = await iam.send(
      new CreateRoleCommand({
        RoleName: "Doomed",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const mapped = new Map([[MANAGEMENT, [doomed.Role!.Arn!, roleArn(MANAGEMENT, "ReadOnly")]]]);
    const [planned] = await planAccounts(sessions(), target, mapped);
    const steps = stepsForPlan(planned!.plan!, target);
    await iam.send(new DeleteRoleCommand({ RoleName: "Doomed" }));
    const s = sessions();
    await runStep(await s.open(MANAGEMENT), steps[0]!);
    const failure = await runStep(await s.open(MANAGEMENT), steps[1]!).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({
      code: "remote_failed",
      details: { reason: "role_missing", roleArn: doomed.Role!.Arn },
    });
    // The one-shot apply reports it per role and still does the others.
    const outcomes = await applyAccounts(sessions(), target, mapped);
    expect(outcomes[0]!.plan!.roles.map((r) => r.action)).toEqual(["missing", "add"]);
    expect(outcomes[0]!.steps.map((s) => s.ok)).toEqual([true]);
  });

  it("keeps an assumed session until shortly before it expires, and reads many accounts reporting each", async () => {
    let now = Date.now();
    const s = new AccountSessions(defaultAwsClients, awsTarget(), ADMIN, {}, () => now);
    const first = await s.open(NA_PROD);
    expect(await s.open(NA_PROD)).toBe(first);
    now += 14 * 60_000; // AssumeRole gave 15 minutes: inside the renewal margin now.
    expect(await s.open(NA_PROD)).not.toBe(first);
    expect(await s.open(MANAGEMENT)).toBe(await s.open(MANAGEMENT));

    const queries = new Map([
      [MANAGEMENT, { providerName: PROVIDER_NAME, roleArns: [roleArn(MANAGEMENT, "ReadOnly")] }],
      [NA_PROD, { providerName: PROVIDER_NAME, roleArns: [roleArn(NA_PROD, "Admin")] }],
      ["999988887777", { providerName: PROVIDER_NAME, roleArns: [] }],
    ]);
    const results = await readAccountStates(sessions(), queries);
    expect(results.map((r) => [r.accountId, r.ok])).toEqual([
      [MANAGEMENT, true],
      [NA_PROD, true],
      ["999988887777", false],
    ]);
    const ok = results[1]!;
    expect(ok.ok && ok.state.providerArns).toEqual([`arn:aws:iam::${NA_PROD}:saml-provider/okta`]);
    expect(results[2]).toMatchObject({
      ok: false,
      error: { code: "remote_failed", details: { reason: "access_denied" } },
    });
  });

  it("recognises its own write when IAM hands the document back formatted differently", async () => {
    const before = snapshot();
    const steps = await allSteps();
    await runAll(steps);
    // Every rewritten trust policy comes back compact, as another formatter would leave it.
    const { iam } = clients(sandbox, ADMIN);
    const trust = steps.filter((s) => s.kind === "trust" && s.accountId === MANAGEMENT);
    for (const step of trust) {
      const name = step.kind === "trust" ? step.roleArn.split("/").pop()! : "";
      const text = sandbox.state().roles.find((r) => r.accountId === MANAGEMENT && r.name === name)!.trustPolicy;
      await iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(JSON.parse(text)) }),
      );
    }
    const resumed = await runAll(steps);
    expect(resumed.filter((r) => r.kind === "trust").map((r) => r.outcome)).toEqual(["added", "added", "added"]);
    await undoAll(steps, resumed);
    expect(snapshot()).toEqual(before);
  });
});
