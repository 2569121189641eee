import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAwsSignIn } from "../../src/core/apps/aws-sign-in.js";
import { createAppWithKey } from "../../src/core/apps/create.js";
import type { App } from "../../src/core/apps/model.js";
import { cliActor } from "../../src/core/audit.js";
import { defaultAwsClients } from "../../src/core/aws/clients.js";
import { setUpSamlProviders } from "../../src/core/aws/saml-setup.js";
import type { AwsPartition } from "../../src/core/rolemap/arn.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

/**
 * rolebridge against the sandbox, only over AWS's wire protocols: SAML providers created through IAM,
 * Responses accepted by STS AssumeRoleWithSAML and by the sign-in ACS of each partition.
 */
const PROD = "222233334444";
const STAGING = "333344445555";
const ACS: Record<AwsPartition, string> = {
  aws: "https://signin.aws.amazon.com/saml",
  "aws-us-gov": "https://signin.amazonaws-us-gov.com/saml",
  "aws-cn": "https://signin.amazonaws.cn/saml",
};
const STS_REGION: Record<AwsPartition, string> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

describe("AWS Account Federation end to end against the sandbox", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let app: App;
  const actor = cliActor();

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!, { publicUrl: "https://idp.example.com" }));
    app = await createAppWithKey(runtime, actor, {
      slug: "aws-demo",
      type: "aws-account-federation",
      label: "AWS",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    const admin = sandbox.credentials.find((c) => c.userName === "sandbox-admin")!;
    const target = { partition: "aws" as const, region: "us-east-1", endpointUrl: sandbox.url };
    const setup = await setUpSamlProviders(defaultAwsClients, target, admin, {
      accountIds: sandbox.accounts.map((a) => a.id),
      providerName: "rolebridge",
      metadata: await runtime.signingKeys.metadata(app, runtime.publicUrl),
    });
    expect(setup.map((r) => r.outcome)).toEqual(sandbox.accounts.map(() => "created"));
    // A role every partition's ACS may use, so one fixture exercises all three.
    const { iam, sts } = await defaultAwsClients(target, admin);
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    expect(Account).toBe(sandbox.managementAccountId);
    await iam.send(
      new CreateRoleCommand({
        RoleName: "PartitionProbe",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: `arn:aws:iam::${Account}:saml-provider/rolebridge` },
              Action: "sts:AssumeRoleWithSAML",
              Condition: { StringEquals: { "SAML:aud": Object.values(ACS) } },
            },
          ],
        }),
      }),
    );
    const { users, groups } = runtime.directory;
    const alice = await users.create(actor, {
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "A",
        displayName: null,
      },
    });
    const carol = await users.create(actor, {
      profile: {
        login: "carol@example.com",
        email: "carol@example.com",
        firstName: "Carol",
        lastName: "C",
        displayName: null,
      },
    });
    const memberships: [string, string][] = [
      [alice.id, `aws#northamerica-production#Admin#${PROD}`],
      [alice.id, `aws#northamerica-staging#ReadOnly#${STAGING}`],
      [carol.id, `aws#acme-management#PartitionProbe#${Account}`],
    ];
    for (const [userId, name] of memberships) {
      const g =
        (await groups.list({ name }, { limit: 1 })).items[0] ??
        (await groups.create(actor, { name, source: "active_directory" }));
      await groups.addMember(actor, g.id, userId);
      await runtime.apps.assign(actor, app.id, "group", g.id, {});
    }
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  async function signInAs(login: string, partition: AwsPartition) {
    const current = await runtime.apps.update(actor, app.id, { settings: { partition } });
    const deps = {
      store: runtime.store,
      keys: runtime.signingKeys,
      publicUrl: runtime.publicUrl,
      clock: runtime.clock,
    };
    return buildAwsSignIn(deps, current, await runtime.directory.users.get(login));
  }

  async function postToAcs(partition: AwsPartition, samlResponse: string) {
    const res = await fetch(sandbox.signinUrl(ACS[partition]), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  it("STS AssumeRoleWithSAML accepts the Response and the credentials work", async () => {
    const signIn = await signInAs("alice@example.com", "aws");
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url });
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: `arn:aws:iam::${PROD}:role/Admin`,
        PrincipalArn: `arn:aws:iam::${PROD}:saml-provider/rolebridge`,
        SAMLAssertion: signIn.response.base64,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/Admin/alice@example.com`);
    const c = out.Credentials!;
    const as = new STSClient({
      region: "us-east-1",
      endpoint: sandbox.url,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
    expect((await as.send(new GetCallerIdentityCommand({}))).Arn).toBe(out.AssumedRoleUser?.Arn);
  });

  it("a role the Response does not carry is refused by STS", async () => {
    const signIn = await signInAs("alice@example.com", "aws");
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url });
    await expect(
      sts.send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: `arn:aws:iam::${PROD}:role/ReadOnly`,
          PrincipalArn: `arn:aws:iam::${PROD}:saml-provider/rolebridge`,
          SAMLAssertion: signIn.response.base64,
        }),
      ),
    ).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied|InvalidIdentityToken/) });
  });

  it("sign-in shows the role picker grouped by account for a user with two roles", async () => {
    const signIn = await signInAs("alice@example.com", "aws");
    const page = await postToAcs("aws", signIn.response.base64);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Account: northamerica-production (${PROD})`);
    expect(page.body).toContain(`Account: northamerica-staging (${STAGING})`);
  });

  for (const partition of ["aws", "aws-us-gov", "aws-cn"] as const) {
    it(`sign-in in ${partition} lands a one-role user on the console`, async () => {
      const signIn = await signInAs("carol@example.com", partition);
      expect(signIn.acsUrl).toBe(ACS[partition]);
      const page = await postToAcs(partition, signIn.response.base64);
      expect(page.body).not.toContain("sandbox-reason");
      expect(page.status).toBe(200);
      expect(page.body).toContain("PartitionProbe");
      expect(page.body).toContain("carol@example.com");
      const sts = new STSClient({ region: STS_REGION[partition], endpoint: sandbox.url });
      const out = await sts.send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: `arn:${partition}:iam::${sandbox.managementAccountId}:role/PartitionProbe`,
          PrincipalArn: `arn:${partition}:iam::${sandbox.managementAccountId}:saml-provider/rolebridge`,
          SAMLAssertion: signIn.response.base64,
        }),
      );
      expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
      expect(out.AssumedRoleUser?.Arn).toBe(
        `arn:${partition}:sts::${sandbox.managementAccountId}:assumed-role/PartitionProbe/carol@example.com`,
      );
    });
  }

  it("a tampered Response is rejected by the sign-in page", async () => {
    const signIn = await signInAs("carol@example.com", "aws");
    const xml = Buffer.from(signIn.response.base64, "base64")
      .toString("utf8")
      .replace("carol@example.com</saml:NameID>", "mallory@example.com</saml:NameID>");
    const page = await postToAcs("aws", Buffer.from(xml).toString("base64"));
    expect(page.status).toBe(400);
    expect(page.body).toContain("Your request included an invalid SAML response");
  });
});
