import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { idpMetadata } from "./helpers/saml.js";
import { ADMIN, API_USER, demoSandbox, failure, MANAGEMENT } from "./helpers/sandbox.js";

let sandbox: SandboxHandle;
let cfn: CloudFormationClient;

beforeAll(async () => {
  sandbox = await demoSandbox();
  cfn = new CloudFormationClient({ endpoint: sandbox.url, region: "us-east-1", credentials: ADMIN, maxAttempts: 1 });
});
afterAll(() => sandbox.close());

const NAMED_IAM = ["CAPABILITY_NAMED_IAM" as const];

/** Short-form YAML: !Ref, !Sub (with a pseudo parameter and a parameter), !GetAtt in an output. */
const template = (aud: string, extraResources = "") => `
AWSTemplateFormatVersion: "2010-09-09"
Description: short-form intrinsics
Parameters:
  Metadata: { Type: String }
  Aud: { Type: String, Default: "${aud}" }
Resources:
  Provider:
    Type: AWS::IAM::SAMLProvider
    Properties: { Name: sdk-provider, SamlMetadataDocument: !Ref Metadata }
  Role:
    Type: AWS::IAM::Role
    DeletionPolicy: Retain
    Properties:
      RoleName: SdkRole
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Federated: !Sub "arn:aws:iam::\${AWS::AccountId}:saml-provider/sdk-provider" }
            Action: sts:AssumeRoleWithSAML
            Condition: { StringEquals: { "SAML:aud": !Ref Aud } }
${extraResources}
Outputs:
  RoleArn: { Value: !GetAtt Role.Arn }
  ProviderArn: { Value: !Ref Provider }
`;
const metadata = [{ ParameterKey: "Metadata", ParameterValue: idpMetadata() }];
const trustOf = (name: string) =>
  JSON.parse(sandbox.state().roles.find((r) => r.accountId === MANAGEMENT && r.name === name)!.trustPolicy);
const stack = async (name: string) => (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
const statuses = async (name: string) =>
  (await cfn.send(new DescribeStackEventsCommand({ StackName: name })))
    .StackEvents!.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`)
    .reverse();

describe("sandbox CloudFormation through SDK v3", () => {
  it("creates a stack from short-form YAML with parameters, Sub, GetAtt and outputs", async () => {
    const out = await cfn.send(
      new CreateStackCommand({
        StackName: "sdk",
        TemplateBody: template("https://signin.aws.amazon.com/saml"),
        Parameters: metadata,
        Capabilities: NAMED_IAM,
      }),
    );
    expect(out.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:111122223333:stack\/sdk\/[0-9a-f-]{36}$/);
    const s = await stack("sdk");
    expect(s.StackStatus).toBe("CREATE_COMPLETE");
    expect(Object.fromEntries(s.Outputs!.map((o) => [o.OutputKey, o.OutputValue]))).toEqual({
      RoleArn: `arn:aws:iam::${MANAGEMENT}:role/SdkRole`,
      ProviderArn: `arn:aws:iam::${MANAGEMENT}:saml-provider/sdk-provider`,
    });
    expect(trustOf("SdkRole").Statement[0].Principal.Federated).toBe(
      `arn:aws:iam::${MANAGEMENT}:saml-provider/sdk-provider`,
    );
    expect(await statuses("sdk")).toEqual([
      "sdk CREATE_IN_PROGRESS",
      "Provider CREATE_IN_PROGRESS",
      "Provider CREATE_COMPLETE",
      "Role CREATE_IN_PROGRESS",
      "Role CREATE_COMPLETE",
      "sdk CREATE_COMPLETE",
    ]);
    const again = await failure(
      cfn.send(new CreateStackCommand({ StackName: "sdk", TemplateBody: template("x"), Parameters: metadata })),
    );
    expect(again).toMatchObject({ name: "AlreadyExistsException", message: "Stack [sdk] already exists" });
  });

  it("updates in place, refuses an update that changes nothing, and rolls a failed update back", async () => {
    await cfn.send(
      new UpdateStackCommand({
        StackName: "sdk",
        TemplateBody: template("https://us-east-1.signin.aws.amazon.com/saml"),
        Parameters: [{ ParameterKey: "Metadata", UsePreviousValue: true }],
        Capabilities: NAMED_IAM,
      }),
    );
    expect((await stack("sdk")).StackStatus).toBe("UPDATE_COMPLETE");
    expect(trustOf("SdkRole").Statement[0].Condition.StringEquals["SAML:aud"]).toBe(
      "https://us-east-1.signin.aws.amazon.com/saml",
    );
    const same = await failure(
      cfn.send(
        new UpdateStackCommand({
          StackName: "sdk",
          UsePreviousTemplate: true,
          Parameters: [{ ParameterKey: "Metadata", UsePreviousValue: true }],
          Capabilities: NAMED_IAM,
        }),
      ),
    );
    expect(same).toMatchObject({ name: "ValidationError", message: "No updates are to be performed." });

    // The role's trust changes first, then a role that depends on it fails: the trust change is taken back.
    const failing = `  Later:
    Type: AWS::IAM::Role
    DependsOn: Role
    Properties: { RoleName: SdkLater, Policies: [], AssumeRolePolicyDocument: { Statement: [] } }`;
    await cfn.send(
      new UpdateStackCommand({
        StackName: "sdk",
        TemplateBody: template("https://signin.aws.amazon.com/saml", failing),
        Parameters: [{ ParameterKey: "Metadata", UsePreviousValue: true }],
        Capabilities: NAMED_IAM,
      }),
    );
    const s = await stack("sdk");
    expect(s.StackStatus).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(trustOf("SdkRole").Statement[0].Condition.StringEquals["SAML:aud"]).toBe(
      "https://us-east-1.signin.aws.amazon.com/saml",
    );
    const failed = (await cfn.send(new DescribeStackEventsCommand({ StackName: "sdk" }))).StackEvents!.find(
      (e) => e.ResourceStatus === "CREATE_FAILED",
    );
    expect(await statuses("sdk")).toContain("Role UPDATE_COMPLETE");
    expect(failed?.ResourceStatusReason).toContain("extraneous key [Policies] is not permitted");
  });

  it("answers template and parameter mistakes with ValidationError, and an unauthorized caller with AccessDenied", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["{", {}, "Template format error: JSON not well-formed."],
      ["Resources: {}", {}, "Template format error: At least one Resources member must be defined."],
      ["Conditions: {}\nResources: {}", {}, "the sandbox does not emulate the Conditions section"],
      [template("x"), {}, "Parameters: [Metadata] must have values"],
      [
        template("x"),
        { Parameters: [{ ParameterKey: "Metadata", ParameterValue: "x".repeat(4097) }] },
        "Parameter 'Metadata' value is longer than CloudFormation's 4096-byte limit",
      ],
      [
        template("x"),
        { Parameters: [...metadata, { ParameterKey: "Nope", ParameterValue: "1" }] },
        "Parameters: [Nope] do not exist in the template",
      ],
      [
        "Resources:\n  R: { Type: AWS::IAM::Role, Properties: { AssumeRolePolicyDocument: !Ref Missing } }",
        {},
        "Unresolved resource dependencies [Missing]",
      ],
    ];
    for (const [body, extra, message] of cases) {
      const f = await failure(
        cfn.send(new CreateStackCommand({ StackName: "bad", TemplateBody: body, Capabilities: NAMED_IAM, ...extra })),
      );
      expect(f.name).toBe("ValidationError");
      expect(f.message).toContain(message);
    }
    const denied = new CloudFormationClient({
      endpoint: sandbox.url,
      region: "us-east-1",
      credentials: API_USER,
      maxAttempts: 1,
    });
    const f = await failure(denied.send(new DescribeStacksCommand({})));
    expect(f).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(f.message).toContain("is not authorized to perform: cloudformation:DescribeStacks");
  });

  it("checks Rules before writing: a failed assertion refuses the call, a rule whose condition fails is skipped", async () => {
    const guarded = (account: string, extraRule = "") => `
Parameters:
  Metadata: { Type: String }
  Env: { Type: String, Default: dev }
Rules:
  Account:
    Assertions:
      - Assert: !Equals [!Ref "AWS::AccountId", "${account}"]
        AssertDescription: only for ${account}
  ProdOnly:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Not [!Equals [!Ref Env, prod]]
        AssertDescription: prod is closed
${extraRule}
Resources:
  Provider:
    Type: AWS::IAM::SAMLProvider
    Properties: { Name: rules-provider, SamlMetadataDocument: !Ref Metadata }
`;
    const create = (body: string, env = "dev") =>
      cfn.send(
        new CreateStackCommand({
          StackName: "rules",
          TemplateBody: body,
          Parameters: [...metadata, { ParameterKey: "Env", ParameterValue: env }],
        }),
      );
    const wrong = await failure(create(guarded("999988887777")));
    expect(wrong).toMatchObject({ name: "ValidationError", message: "only for 999988887777" });
    expect(await failure(create(guarded(MANAGEMENT), "prod"))).toMatchObject({ message: "prod is closed" });
    const unsupported = await failure(
      create(guarded(MANAGEMENT, "  Odd:\n    Assertions:\n      - Assert: { Fn::EachMemberEquals: [[a], a] }")),
    );
    expect(unsupported.message).toContain("the sandbox does not emulate Fn::EachMemberEquals in Rules");
    expect(sandbox.state().samlProviders.some((p) => p.arn.endsWith("/rules-provider"))).toBe(false);
    await create(guarded(MANAGEMENT));
    expect((await stack("rules")).StackStatus).toBe("CREATE_COMPLETE");
    await cfn.send(new DeleteStackCommand({ StackName: "rules" }));
  });

  it("runs a CREATE change set (review, execute) and reports an empty one the way `deploy` expects", async () => {
    const body = template("https://signin.aws.amazon.com/saml")
      .replaceAll("sdk-provider", "cs-provider")
      .replace("SdkRole", "CsRole");
    const created = await cfn.send(
      new CreateChangeSetCommand({
        StackName: "cs",
        ChangeSetName: "first",
        ChangeSetType: "CREATE",
        TemplateBody: body,
        Parameters: metadata,
        Capabilities: NAMED_IAM,
      }),
    );
    expect((await stack("cs")).StackStatus).toBe("REVIEW_IN_PROGRESS");
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: created.Id! }));
    expect(described).toMatchObject({ Status: "CREATE_COMPLETE", ExecutionStatus: "AVAILABLE" });
    expect(described.Changes!.map((c) => [c.ResourceChange!.Action, c.ResourceChange!.LogicalResourceId])).toEqual([
      ["Add", "Provider"],
      ["Add", "Role"],
    ]);
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: "first", StackName: "cs" }));
    expect((await stack("cs")).StackStatus).toBe("CREATE_COMPLETE");
    await cfn.send(
      new CreateChangeSetCommand({
        StackName: "cs",
        ChangeSetName: "second",
        TemplateBody: body,
        Parameters: metadata,
        Capabilities: NAMED_IAM,
      }),
    );
    const empty = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: "second", StackName: "cs" }));
    expect(empty).toMatchObject({ Status: "FAILED", ExecutionStatus: "UNAVAILABLE" });
    expect(empty.StatusReason).toContain("didn't contain changes");
  });

  it("deletes a stack: the provider goes, a Retain role stays, and the stack is no longer found", async () => {
    await cfn.send(new DeleteStackCommand({ StackName: "sdk" }));
    expect(sandbox.state().samlProviders.some((p) => p.name === "sdk-provider")).toBe(false);
    expect(sandbox.state().roles.some((r) => r.name === "SdkRole")).toBe(true);
    const gone = await failure(cfn.send(new DescribeStacksCommand({ StackName: "sdk" })));
    expect(gone).toMatchObject({ name: "ValidationError", message: "Stack with id sdk does not exist" });
    await cfn.send(new DeleteStackCommand({ StackName: "never-existed" }));
  });

  it("replaces a renamed role: the new one is created, the old one deleted unless its UpdateReplacePolicy retains it", async () => {
    const body = (name: string, policy: string) => `
Resources:
  Role:
    Type: AWS::IAM::Role
    ${policy}
    Properties:
      RoleName: ${name}
      AssumeRolePolicyDocument:
        Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::${MANAGEMENT}:root" }, Action: "sts:AssumeRole" }]
`;
    const has = (name: string) => sandbox.state().roles.some((r) => r.accountId === MANAGEMENT && r.name === name);
    await cfn.send(
      new CreateStackCommand({ StackName: "rename", TemplateBody: body("First", ""), Capabilities: NAMED_IAM }),
    );
    await cfn.send(
      new UpdateStackCommand({ StackName: "rename", TemplateBody: body("Second", ""), Capabilities: NAMED_IAM }),
    );
    expect([has("First"), has("Second")]).toEqual([false, true]);
    expect((await statuses("rename")).slice(-4)).toEqual([
      "rename UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
      "Role DELETE_IN_PROGRESS",
      "Role DELETE_COMPLETE",
      "rename UPDATE_COMPLETE",
    ]);
    await cfn.send(
      new UpdateStackCommand({
        StackName: "rename",
        TemplateBody: body("Third", "UpdateReplacePolicy: Retain"),
        Capabilities: NAMED_IAM,
      }),
    );
    expect([has("Second"), has("Third")]).toEqual([true, true]);
    expect(await statuses("rename")).toContain("Role DELETE_SKIPPED");
  });
});
