import { rmSync } from "node:fs";
import { PutUserPolicyCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, STSClient } from "@aws-sdk/client-sts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { buildAwsSignIn } from "../../../src/core/apps/aws-sign-in.js";
import { cliActor } from "../../../src/core/audit.js";
import { defaultAwsClients } from "../../../src/core/aws/clients.js";
import { AccountSessions } from "../../../src/core/migration/aws-saml/index.js";
import { AwsSide } from "../../../src/core/migration/aws-saml/journal-steps.js";
import { migrationServices, type PlanOptions } from "../../../src/core/migration/index.js";
import { seedAwsDemo } from "../../../src/demo/aws.js";
import { seedDemo } from "../../../src/demo/seed.js";
import { openRuntime, type Runtime } from "../../../src/runtime.js";
import { DEMO } from "../../../src/sandbox/demo.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { tempDir } from "../../cli/run.js";

const actor = cliActor();
const PROVIDER = "rolebridge-migrated";
const UNREACHABLE = "999988887777";
const NA_PROD = DEMO.accounts["northamerica-production"];
/** The organization's administrator: the legacy app's keys may only list roles (Okta's own policy). */
const aws = {
  credentials: { accessKeyId: DEMO.admin.accessKeyId, secretAccessKey: DEMO.admin.secretAccessKey },
  adminRole: DEMO.memberAdminRoleName,
};
const options: PlanOptions = {
  to: "aws-groups",
  template: "aws#{alias}#{role}#{account}",
  source: "local",
  mode: "rules",
  providerName: PROVIDER,
};

/** The demo estate (`serve --demo`): a legacy app reaching five sandbox accounts and one closed account. */
describe("migrate apply sets up SAML in every account, as journaled steps", () => {
  let sandbox: SandboxHandle;
  let rt: Runtime;
  let dir: string;

  beforeEach(async () => {
    dir = tempDir("rb-mig-aws-");
    sandbox = await startSandbox({ fixture: "demo" });
    rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
    await seedDemo(rt, actor);
    await seedAwsDemo(rt, sandbox, actor);
  }, 60_000);
  afterEach(async () => {
    await rt?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Everything the SAML setup may touch, as the sandbox holds it: trust documents byte for byte, providers. */
  const awsState = () => {
    const s = sandbox.state();
    return {
      trust: s.roles.map((r) => [r.arn, r.trustPolicy]).sort(),
      providers: s.samlProviders.map((p) => [p.arn, p.metadata]).sort(),
    };
  };
  const mappedAccounts = async () => {
    const { plan } = await migrationServices(rt).reader.plan("aws-legacy", options);
    return plan.aws.map((a) => a.accountId).filter((a) => a !== UNREACHABLE);
  };
  const adminSessions = () =>
    new AccountSessions(
      defaultAwsClients,
      { partition: "aws", region: "us-east-1", endpointUrl: sandbox.url },
      aws.credentials,
      { roleName: DEMO.memberAdminRoleName },
    );
  const providerArn = (account: string) => `arn:aws:iam::${account}:saml-provider/${PROVIDER}`;

  it("creates the provider and trust in each reachable account, reports the closed one, signs a person in, and rolls back exactly", async () => {
    const { reader, writer } = migrationServices(rt);
    const before = awsState();
    const accounts = await mappedAccounts();
    expect(accounts.length).toBeGreaterThanOrEqual(3);

    const dry = await writer.dryRun("aws-legacy", options, { aws });
    // The closed account has no role left in the last refresh: the plan maps nothing there.
    expect(dry.aws.map((a) => a.accountId)).not.toContain(UNREACHABLE);
    expect(dry.aws.filter((a) => a.plan?.provider.action === "create").map((a) => a.accountId)).toEqual(accounts);
    expect(awsState()).toEqual(before);

    const applied = await writer.apply(actor, "aws-legacy", options, { aws });
    expect(applied.state).toBe("applied");
    expect(applied.failed).toEqual([]);
    const target = await rt.apps.get("aws-groups");
    const metadata = await rt.signingKeys.metadata(target, rt.publicUrl);
    for (const account of accounts) {
      expect(sandbox.state().samlProviders.find((p) => p.arn === providerArn(account))?.metadata).toBe(metadata);
    }
    expect((await reader.verify("aws-legacy", options)).result.differences).toEqual([]);

    // A person signs in through the target app with a role the legacy app gave them.
    const deps = { store: rt.store, keys: rt.signingKeys, publicUrl: rt.publicUrl, clock: rt.clock };
    const alice = await rt.directory.users.get("alice@example.com");
    const legacy = await buildAwsSignIn(deps, await rt.apps.get("aws-legacy"), alice);
    const signIn = await buildAwsSignIn(deps, target, alice);
    const pair = signIn.entitlements.roles.find((r) => r.providerArn === providerArn(NA_PROD));
    expect(pair).toBeDefined();
    expect(legacy.entitlements.roles.map((r) => r.roleArn)).toContain(pair?.roleArn);
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url, maxAttempts: 1 });
    const session = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: pair?.roleArn,
        PrincipalArn: pair?.providerArn,
        SAMLAssertion: signIn.response.base64,
      }),
    );
    expect(session.AssumedRoleUser?.Arn).toContain(`arn:aws:sts::${NA_PROD}:assumed-role/`);

    const again = await writer.apply(actor, "aws-legacy", options, { aws });
    expect(again).toMatchObject({ resumed: true, done: 0 });
    expect(again.failed).toEqual([]);

    await writer.rollback(actor, "aws-legacy", "aws-groups", { aws });
    expect(awsState()).toEqual(before);
  }, 120_000);

  it("keeps the legacy provider name: apply leaves its metadata, cut-over switches it to the target's, rollback gives it back", async () => {
    const { writer } = migrationServices(rt);
    const kept: PlanOptions = { ...options, providerName: undefined };
    const legacyProvider = `arn:aws:iam::${NA_PROD}:saml-provider/okta`;
    const metadataOf = () => sandbox.state().samlProviders.find((p) => p.arn === legacyProvider)?.metadata;
    const legacyMetadata = metadataOf();
    expect(legacyMetadata).toBeDefined();

    const applied = await writer.apply(actor, "aws-legacy", kept, { aws });
    expect(applied.failed).toEqual([]);
    expect(applied.providersLeft).toContain(NA_PROD);
    expect(metadataOf()).toBe(legacyMetadata);

    await writer.cutover(actor, "aws-legacy", kept, { aws });
    expect((await rt.apps.get("aws-legacy")).status).toBe("INACTIVE");
    const target = await rt.apps.get("aws-groups");
    expect(metadataOf()).toBe(await rt.signingKeys.metadata(target, rt.publicUrl));

    // The target app now signs people in through the provider the legacy app used, with the same pair.
    const deps = { store: rt.store, keys: rt.signingKeys, publicUrl: rt.publicUrl, clock: rt.clock };
    const signIn = await buildAwsSignIn(deps, target, await rt.directory.users.get("alice@example.com"));
    const pair = signIn.entitlements.roles.find((r) => r.providerArn === legacyProvider);
    expect(pair).toBeDefined();
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url, maxAttempts: 1 });
    const session = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: pair?.roleArn,
        PrincipalArn: pair?.providerArn,
        SAMLAssertion: signIn.response.base64,
      }),
    );
    expect(session.AssumedRoleUser?.Arn).toContain(`arn:aws:sts::${NA_PROD}:assumed-role/`);

    const back = await writer.rollback(actor, "aws-legacy", "aws-groups", { aws });
    expect(back).toMatchObject({ legacyReactivated: true });
    expect(back.undone).toBeGreaterThan(0);
    expect(metadataOf()).toBe(legacyMetadata);
    expect((await rt.apps.get("aws-legacy")).status).toBe("ACTIVE");
  }, 120_000);

  it("cut-over refuses, and deactivates nothing, when a kept provider cannot be switched", async () => {
    const { writer } = migrationServices(rt);
    const kept: PlanOptions = { ...options, providerName: undefined };
    await writer.apply(actor, "aws-legacy", kept, { aws });
    // The legacy app's own keys may only list roles: the switch is refused in every account.
    const refused = await writer.cutover(actor, "aws-legacy", kept, {}).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toMatchObject({ code: "remote_failed" });
    expect((refused as Error).message).toMatch(/^cut-over refused: the SAML provider could not be switched/);
    expect((await rt.apps.get("aws-legacy")).status).toBe("ACTIVE");
    await writer.cutover(actor, "aws-legacy", kept, { aws });
    expect((await rt.apps.get("aws-legacy")).status).toBe("INACTIVE");
  }, 120_000);

  it("an account that refuses AssumeRole fails that item only; once fixed, a resumed apply completes it", async () => {
    const { writer } = migrationServices(rt);
    const crossRole = `arn:aws:iam::${NA_PROD}:role/${DEMO.memberAdminRoleName}`;
    const original = sandbox.state().roles.find((r) => r.arn === crossRole)?.trustPolicy;
    expect(original).toBeDefined();
    const iam = (await adminSessions().open(NA_PROD)).iam;
    const nobody = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }],
    });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: DEMO.memberAdminRoleName, PolicyDocument: nobody }));

    const first = await writer.apply(actor, "aws-legacy", options, { aws });
    expect(first.failed.map((f) => f.item)).toEqual([`aws:${NA_PROD}`]);
    expect(first.failed.find((f) => f.item === `aws:${NA_PROD}`)?.message).toMatch(
      new RegExp(`account ${NA_PROD}.*AccessDenied`),
    );
    expect(sandbox.state().samlProviders.map((p) => p.arn)).not.toContain(providerArn(NA_PROD));
    const others = (await mappedAccounts()).filter((a) => a !== NA_PROD);
    for (const account of others)
      expect(sandbox.state().samlProviders.map((p) => p.arn)).toContain(providerArn(account));

    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: DEMO.memberAdminRoleName, PolicyDocument: original }));
    const resumed = await writer.apply(actor, "aws-legacy", options, { aws });
    expect(resumed.failed).toEqual([]);
    expect(resumed.done).toBeGreaterThan(1);
    expect(sandbox.state().samlProviders.map((p) => p.arn)).toContain(providerArn(NA_PROD));
    const settled = awsState();
    expect(await writer.apply(actor, "aws-legacy", options, { aws })).toMatchObject({ done: 0 });
    expect(awsState()).toEqual(settled);
  }, 120_000);

  it("with --skip-aws, verify against live state still checks that the target's providers exist", async () => {
    const { reader, writer } = migrationServices(rt);
    const management = DEMO.managementAccountId;
    expect(await mappedAccounts()).toContain(management);
    // Let the legacy app's keys list SAML providers in their own account (Okta's policy does not).
    const iam = (await adminSessions().open(management)).iam;
    const listing = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["iam:ListSAMLProviders", "iam:GetSAMLProvider"], Resource: "*" }],
    };
    await iam.send(
      new PutUserPolicyCommand({
        UserName: DEMO.apiUser.userName,
        PolicyName: "list-saml-providers",
        PolicyDocument: JSON.stringify(listing),
      }),
    );
    const skipped = await writer.apply(actor, "aws-legacy", options, { aws: { skip: true } });
    expect(skipped).toMatchObject({ aws: "skipped", failed: [] });
    const missing = await reader.verify("aws-legacy", options);
    expect(missing.against).toBe("live");
    expect(missing.result.differences).toEqual([
      { kind: "provider", accountId: management, providerArn: providerArn(management) },
    ]);
    await writer.apply(actor, "aws-legacy", options, { aws });
    expect((await reader.verify("aws-legacy", options)).result.differences).toEqual([]);
  }, 120_000);

  it("a role deleted after its account was planned is journaled as nothing to trust, so the account can finish", async () => {
    const { plan } = await migrationServices(rt).reader.plan("aws-legacy", options);
    await migrationServices(rt).writer.apply(actor, "aws-legacy", options, { aws: { skip: true } });
    const side = new AwsSide(rt, plan, aws);
    const gone = `arn:aws:iam::${NA_PROD}:role/DeletedMidApply`;
    const step = {
      key: `saml-trust:${NA_PROD}:${gone}`,
      kind: "aws-saml",
      label: "trust",
      item: `aws:${NA_PROD}`,
      params: {
        kind: "trust",
        accountId: NA_PROD,
        roleArn: gone,
        providerArn: providerArn(NA_PROD),
        providerName: PROVIDER,
        acsUrls: ["https://signin.aws.amazon.com/saml"],
        before: "{}",
        after: "{}",
      },
    };
    const saved: Array<Record<string, unknown>> = [];
    const ctx = { store: rt.store, clock: rt.clock, actor, results: new Map() };
    await side.kinds()["aws-saml"]?.do(ctx, step, async (result) => {
      saved.push(result);
    });
    expect(saved).toEqual([
      { kind: "trust", outcome: "unchanged", roleArn: gone, before: null, after: null, roleMissing: true },
    ]);
  }, 60_000);
});
