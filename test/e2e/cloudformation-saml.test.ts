import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { AssumeRoleCommand, AssumeRoleWithSAMLCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAwsSignIn } from "../../src/core/apps/aws-sign-in.js";
import { createAppWithKey } from "../../src/core/apps/create.js";
import type { App } from "../../src/core/apps/model.js";
import { cliActor } from "../../src/core/audit.js";
import { defaultAwsClients } from "../../src/core/aws/clients.js";
import {
  AccountSessions,
  importTemplate,
  perAccountTemplate,
  readAccountState,
  renderTemplate,
  resourcesToImport,
  type SamlTarget,
  stackSetTemplate,
} from "../../src/core/migration/aws-saml/index.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

/**
 * The migration's CloudFormation templates, deployed by the real AWS CLI (v2, `/usr/bin/aws`; `AWS_CLI` overrides)
 * against the sandbox, and then used: a person signs in through the provider the stack created.
 */
const AWS_CLI = process.env.AWS_CLI ?? "/usr/bin/aws";
const ACS = "https://signin.aws.amazon.com/saml";
const MANAGEMENT = "111122223333";
const PROD = "222233334444";
const STAGING = "333344445555";
const PROVIDER = "rolebridge-cfn";
const run = promisify(execFile);

describe("CloudFormation SAML setup through the AWS CLI", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  let app: App;
  let dir: string;
  let target: SamlTarget;
  const actor = cliActor();
  const admin = () => sandbox.credentials.find((c) => c.userName === "sandbox-admin")!;

  /** The AWS CLI, isolated from ~/.aws, pointed at the sandbox with the given credentials. */
  async function aws(
    args: string[],
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = admin(),
  ) {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
    };
    try {
      const { stdout, stderr } = await run(AWS_CLI, ["--endpoint-url", sandbox.url, ...args], { env });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number | string; stdout?: string; stderr?: string };
      if (e.code === "ENOENT") throw new Error(`the AWS CLI is needed at ${AWS_CLI} (apt-get install awscli)`);
      return { code: Number(e.code), stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }

  async function memberCredentials(accountId: string) {
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url, credentials: admin() });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "cfn",
      }),
    );
    return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
  }

  async function signIn(login: string) {
    const deps = {
      store: runtime.store,
      keys: runtime.signingKeys,
      publicUrl: runtime.publicUrl,
      clock: runtime.clock,
    };
    return buildAwsSignIn(deps, await runtime.apps.get(app.id), await runtime.directory.users.get(login));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rolebridge-cfn-"));
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!, { publicUrl: "https://idp.example.com" }));
    app = await createAppWithKey(runtime, actor, {
      slug: "aws-groups",
      type: "aws-account-federation",
      label: "AWS",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: PROVIDER },
    });
    target = {
      providerName: PROVIDER,
      metadata: await runtime.signingKeys.metadata(app, runtime.publicUrl),
      acsUrls: [ACS],
    };
    const alice = await runtime.directory.users.create(actor, {
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "A",
        displayName: null,
      },
    });
    for (const name of [
      `aws#acme-management#CfnAdmin#${MANAGEMENT}`,
      `aws#northamerica-production#CfnReadOnly#${PROD}`,
      `aws#northamerica-staging#Federated.Ops#${STAGING}`,
    ]) {
      const group = await runtime.directory.groups.create(actor, { name, source: "active_directory" });
      await runtime.directory.groups.addMember(actor, group.id, alice.id);
      await runtime.apps.assign(actor, app.id, "group", group.id, {});
    }
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys the per-account YAML template with `aws cloudformation deploy`, then the person signs in through it", async () => {
    const file = join(dir, "management.yaml");
    await writeFile(file, renderTemplate(perAccountTemplate(target, [{ name: "CfnAdmin" }], MANAGEMENT), "yaml"));
    const deployed = await aws([
      "cloudformation",
      "deploy",
      "--template-file",
      file,
      "--stack-name",
      "rolebridge-saml",
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
    ]);
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain("Successfully created/updated stack - rolebridge-saml");
    const described = JSON.parse(
      (await aws(["cloudformation", "describe-stacks", "--stack-name", "rolebridge-saml"])).stdout,
    );
    expect(described.Stacks[0].StackStatus).toBe("CREATE_COMPLETE");
    const providerArn = `arn:aws:iam::${MANAGEMENT}:saml-provider/${PROVIDER}`;
    expect(described.Stacks[0].Outputs).toEqual([
      expect.objectContaining({ OutputKey: "SamlProviderArn", OutputValue: providerArn }),
    ]);

    // A second deploy of the same template changes nothing.
    const again = await aws([
      "cloudformation",
      "deploy",
      "--template-file",
      file,
      "--stack-name",
      "rolebridge-saml",
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
    ]);
    expect(again.stdout).toContain("No changes to deploy");

    const response = await signIn("alice@example.com");
    const role = `arn:aws:iam::${MANAGEMENT}:role/CfnAdmin`;
    const page = await fetch(sandbox.signinUrl(ACS), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: response.response.base64 }).toString(),
    });
    const html = await page.text();
    expect(html).not.toContain("sandbox-reason");
    expect(page.status).toBe(200);
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url });
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: role,
        PrincipalArn: providerArn,
        SAMLAssertion: response.response.base64,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MANAGEMENT}:assumed-role/CfnAdmin/alice@example.com`);
  });

  it("creates a member account's JSON stack with create-stack + wait, keeping an existing statement in the role", async () => {
    const credentials = await memberCredentials(PROD);
    const keep = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Auditors",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
          Action: "sts:AssumeRole",
        },
      ],
    });
    const file = join(dir, "prod.json");
    await writeFile(
      file,
      renderTemplate(perAccountTemplate(target, [{ name: "CfnReadOnly", path: "/", trustPolicy: keep }], PROD), "json"),
    );
    const created = await aws(
      [
        "cloudformation",
        "create-stack",
        "--stack-name",
        "rolebridge-saml",
        "--template-body",
        `file://${file}`,
        "--capabilities",
        "CAPABILITY_NAMED_IAM",
      ],
      credentials,
    );
    expect(created.stderr).toBe("");
    expect(JSON.parse(created.stdout).StackId).toMatch(
      new RegExp(`^arn:aws:cloudformation:us-east-1:${PROD}:stack/rolebridge-saml/`),
    );
    const waited = await aws(
      ["cloudformation", "wait", "stack-create-complete", "--stack-name", "rolebridge-saml"],
      credentials,
    );
    expect(waited).toMatchObject({ code: 0, stderr: "" });
    const trust = JSON.parse(
      sandbox.state().roles.find((r) => r.arn === `arn:aws:iam::${PROD}:role/CfnReadOnly`)!.trustPolicy,
    );
    expect(trust.Statement[0]).toEqual(JSON.parse(keep).Statement[0]);
    expect(trust.Statement[1].Principal).toEqual({ Federated: `arn:aws:iam::${PROD}:saml-provider/${PROVIDER}` });

    const response = await signIn("alice@example.com");
    const sts = new STSClient({ region: "us-east-1", endpoint: sandbox.url });
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: `arn:aws:iam::${PROD}:role/CfnReadOnly`,
        PrincipalArn: `arn:aws:iam::${PROD}:saml-provider/${PROVIDER}`,
        SAMLAssertion: response.response.base64,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/CfnReadOnly/alice@example.com`);
  });

  it("refuses the per-account template deployed with another account's credentials, before writing anything", async () => {
    const credentials = await memberCredentials(STAGING);
    const file = join(dir, "prod-in-staging.yaml");
    await writeFile(file, renderTemplate(perAccountTemplate(target, [{ name: "CfnWrongAccount" }], PROD), "yaml"));
    const rolesBefore = sandbox.state().roles.length;
    const refused = await aws(
      [
        "cloudformation",
        "deploy",
        "--template-file",
        file,
        "--stack-name",
        "rolebridge-saml-wrong-account",
        "--capabilities",
        "CAPABILITY_NAMED_IAM",
      ],
      credentials,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("ValidationError");
    expect(refused.stderr).toContain(`This template is for account ${PROD} only`);
    expect(sandbox.state().roles.length).toBe(rolesBefore);
    expect(sandbox.state().roles.some((r) => r.arn.endsWith(":role/CfnWrongAccount"))).toBe(false);
    const described = await aws(
      ["cloudformation", "describe-stacks", "--stack-name", "rolebridge-saml-wrong-account"],
      credentials,
    );
    expect(described.stderr).toContain("does not exist");
  });

  it("the StackSet template deploys with parameters (metadata, provider name, role list) and signs in", async () => {
    const credentials = await memberCredentials(STAGING);
    const file = join(dir, "stackset.yaml");
    await writeFile(file, renderTemplate(stackSetTemplate({ providerName: PROVIDER, acsUrl: ACS }), "yaml"));
    const params = join(dir, "params.json");
    await writeFile(
      params,
      JSON.stringify([
        { ParameterKey: "MetadataDocument", ParameterValue: target.metadata },
        { ParameterKey: "RoleNames", ParameterValue: "Federated.Ops,FederatedDev" },
      ]),
    );
    const created = await aws(
      [
        "cloudformation",
        "create-stack",
        "--stack-name",
        "rolebridge-saml",
        "--template-body",
        `file://${file}`,
        "--parameters",
        `file://${params}`,
        "--capabilities",
        "CAPABILITY_NAMED_IAM",
        "CAPABILITY_AUTO_EXPAND",
      ],
      credentials,
    );
    expect(created.stderr).toBe("");
    expect(
      (await aws(["cloudformation", "wait", "stack-create-complete", "--stack-name", "rolebridge-saml"], credentials))
        .code,
    ).toBe(0);
    const events = JSON.parse(
      (await aws(["cloudformation", "describe-stack-events", "--stack-name", "rolebridge-saml"], credentials)).stdout,
    );
    expect(
      events.StackEvents.filter((e: { ResourceStatus: string }) => e.ResourceStatus === "CREATE_COMPLETE")
        .map((e: { LogicalResourceId: string }) => e.LogicalResourceId)
        .sort(),
    ).toEqual(["RoleFederatedDev", "RoleFederatedOps", "SamlProvider", "rolebridge-saml"]);
    const response = await signIn("alice@example.com");
    const out = await new STSClient({ region: "us-east-1", endpoint: sandbox.url }).send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: `arn:aws:iam::${STAGING}:role/Federated.Ops`,
        PrincipalArn: `arn:aws:iam::${STAGING}:saml-provider/${PROVIDER}`,
        SAMLAssertion: response.response.base64,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${STAGING}:assumed-role/Federated.Ops/alice@example.com`);
  });

  it("refuses what it does not emulate in CloudFormation's shape, rolls back a failed create, and deletes keeping roles", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ Resources: { Bucket: { Type: "AWS::S3::Bucket" } } }));
    const refused = await aws([
      "cloudformation",
      "create-stack",
      "--stack-name",
      "bad",
      "--template-body",
      `file://${bad}`,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      "An error occurred (ValidationError) when calling the CreateStack operation: Template format error: Unrecognized resource types: [AWS::S3::Bucket]",
    );
    const named = join(dir, "named.yaml");
    await writeFile(
      named,
      renderTemplate(perAccountTemplate({ ...target, providerName: "other" }, [{ name: "CfnAdmin" }]), "yaml"),
    );
    const noCapability = await aws([
      "cloudformation",
      "create-stack",
      "--stack-name",
      "clash",
      "--template-body",
      `file://${named}`,
    ]);
    expect(noCapability.stderr).toContain("InsufficientCapabilitiesException");
    expect(noCapability.stderr).toContain("Requires capabilities : [CAPABILITY_NAMED_IAM]");

    // CfnAdmin already exists (the first stack made it): the create fails and rolls back the provider it made.
    await aws([
      "cloudformation",
      "create-stack",
      "--stack-name",
      "clash",
      "--template-body",
      `file://${named}`,
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
    ]);
    const waited = await aws(["cloudformation", "wait", "stack-create-complete", "--stack-name", "clash"]);
    expect(waited.code).not.toBe(0);
    expect(waited.stderr).toContain("ROLLBACK_COMPLETE");
    const events = JSON.parse(
      (await aws(["cloudformation", "describe-stack-events", "--stack-name", "clash"])).stdout,
    ).StackEvents;
    expect(
      events.find((e: { ResourceStatus: string }) => e.ResourceStatus === "CREATE_FAILED").ResourceStatusReason,
    ).toContain("Role with name CfnAdmin already exists.");
    expect(sandbox.state().samlProviders.some((p) => p.arn === `arn:aws:iam::${MANAGEMENT}:saml-provider/other`)).toBe(
      false,
    );

    expect((await aws(["cloudformation", "delete-stack", "--stack-name", "rolebridge-saml"])).code).toBe(0);
    expect(
      (await aws(["cloudformation", "wait", "stack-delete-complete", "--stack-name", "rolebridge-saml"])).code,
    ).toBe(0);
    const state = sandbox.state();
    expect(state.samlProviders.some((p) => p.arn === `arn:aws:iam::${MANAGEMENT}:saml-provider/${PROVIDER}`)).toBe(
      false,
    );
    expect(state.roles.some((r) => r.arn === `arn:aws:iam::${MANAGEMENT}:role/CfnAdmin`)).toBe(true);
  });

  it("takes an existing role over with a resource import, then adds the statement and keeps the old ones", async () => {
    const readOnly = `arn:aws:iam::${MANAGEMENT}:role/ReadOnly`;
    const original = sandbox.state().roles.find((r) => r.arn === readOnly)!.trustPolicy;
    const session = await new AccountSessions(
      defaultAwsClients,
      { partition: "aws", region: "us-east-1", endpointUrl: sandbox.url },
      admin(),
    ).open(MANAGEMENT);
    const state = await readAccountState(session, { providerName: PROVIDER, roleArns: [readOnly] });
    const roles = state.roles.map((r) => ({ name: r.name, path: r.path, trustPolicy: r.trustPolicy }));
    const files = {
      import: join(dir, "import.yaml"),
      resources: join(dir, "import.json"),
      full: join(dir, "full.yaml"),
    };
    await writeFile(files.import, renderTemplate(importTemplate(roles), "yaml"));
    await writeFile(files.resources, JSON.stringify(resourcesToImport(roles)));
    await writeFile(files.full, renderTemplate(perAccountTemplate(target, roles, MANAGEMENT), "yaml"));
    const stack = ["--stack-name", "rolebridge-import"];
    const changeSet = [...stack, "--change-set-name", "import"];
    const created = await aws([
      "cloudformation",
      "create-change-set",
      ...changeSet,
      "--change-set-type",
      "IMPORT",
      "--template-body",
      `file://${files.import}`,
      "--resources-to-import",
      `file://${files.resources}`,
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
    ]);
    expect(created.stderr).toBe("");
    expect((await aws(["cloudformation", "wait", "change-set-create-complete", ...changeSet])).code).toBe(0);
    const described = JSON.parse((await aws(["cloudformation", "describe-change-set", ...changeSet])).stdout);
    expect(
      described.Changes.map(
        (c: { ResourceChange: { Action: string; PhysicalResourceId: string } }) => c.ResourceChange,
      ),
    ).toEqual([
      expect.objectContaining({ Action: "Import", LogicalResourceId: "RoleReadOnly", PhysicalResourceId: "ReadOnly" }),
    ]);
    expect((await aws(["cloudformation", "execute-change-set", ...changeSet])).code).toBe(0);
    expect((await aws(["cloudformation", "wait", "stack-import-complete", ...stack])).code).toBe(0);
    expect(sandbox.state().roles.find((r) => r.arn === readOnly)!.trustPolicy).toBe(original);

    const deployed = await aws([
      "cloudformation",
      "deploy",
      "--template-file",
      files.full,
      ...stack,
      "--capabilities",
      "CAPABILITY_NAMED_IAM",
    ]);
    expect(deployed).toMatchObject({ code: 0, stderr: "" });
    const trust = JSON.parse(sandbox.state().roles.find((r) => r.arn === readOnly)!.trustPolicy);
    expect(trust.Statement.slice(0, -1)).toEqual(JSON.parse(original).Statement);
    expect(trust.Statement.at(-1).Principal).toEqual({
      Federated: `arn:aws:iam::${MANAGEMENT}:saml-provider/${PROVIDER}`,
    });

    const group = await runtime.directory.groups.create(actor, {
      name: `aws#acme-management#ReadOnly#${MANAGEMENT}`,
      source: "active_directory",
    });
    await runtime.directory.groups.addMember(
      actor,
      group.id,
      (await runtime.directory.users.get("alice@example.com")).id,
    );
    await runtime.apps.assign(actor, app.id, "group", group.id, {});
    const response = await signIn("alice@example.com");
    const out = await new STSClient({ region: "us-east-1", endpoint: sandbox.url }).send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: readOnly,
        PrincipalArn: `arn:aws:iam::${MANAGEMENT}:saml-provider/${PROVIDER}`,
        SAMLAssertion: response.response.base64,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MANAGEMENT}:assumed-role/ReadOnly/alice@example.com`);
  });
});
