import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DeleteUserPolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { ADMIN, API_USER, clients, demoSandbox, failure, NA_PROD, sessionCredentials } from "./helpers/sandbox.js";

const doc = (sid: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: sid, Effect: "Allow", Action: "iam:ListRoles", Resource: "*" }],
  });

describe("sandbox IAM: policy versions, inline policy deletion, access keys, role policies", () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await demoSandbox();
  });
  afterAll(() => sandbox.close());

  it("keeps at most 5 versions, never deletes the default, switches the default and reuses no id", async () => {
    const { iam } = clients(sandbox, ADMIN);
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: "Versions", PolicyDocument: doc("v1") }))).Policy!
      .Arn!;
    for (let i = 2; i <= 5; i++)
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(`v${i}`) }));
    expect(
      await failure(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("v6") }))),
    ).toMatchObject({
      name: "LimitExceededException",
      status: 409,
    });
    expect(await failure(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" })))).toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete the default version of a policy.",
    });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    const created = await iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc("v6"), SetAsDefault: true }),
    );
    expect(created.PolicyVersion?.VersionId).toBe("v6");
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe("v6");
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v6", false],
      ["v5", false],
      ["v4", false],
      ["v3", false],
      ["v1", true],
    ]);
    expect(
      await failure(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }))),
    ).toMatchObject({
      name: "NoSuchEntityException",
    });
    const awsManaged = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    expect(
      (await failure(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: awsManaged, VersionId: "v1" })))).name,
    ).toBe("AccessDenied");
  });

  it("deletes an inline user policy, and says NoSuchEntity for one that is not there", async () => {
    const { iam } = clients(sandbox, ADMIN);
    await iam.send(
      new PutUserPolicyCommand({ UserName: "sandbox-admin", PolicyName: "extra", PolicyDocument: doc("x") }),
    );
    await iam.send(new DeleteUserPolicyCommand({ UserName: "sandbox-admin", PolicyName: "extra" }));
    expect(
      await failure(iam.send(new GetUserPolicyCommand({ UserName: "sandbox-admin", PolicyName: "extra" }))),
    ).toMatchObject({
      name: "NoSuchEntityException",
      status: 404,
    });
    expect(
      (await failure(iam.send(new DeleteUserPolicyCommand({ UserName: "sandbox-admin", PolicyName: "extra" })))).name,
    ).toBe("NoSuchEntityException");
  });

  it("lists access keys and reports their last use (N/A before any)", async () => {
    const { iam } = clients(sandbox, ADMIN);
    const keys = (await iam.send(new ListAccessKeysCommand({ UserName: "okta-api-user" }))).AccessKeyMetadata ?? [];
    expect(keys).toEqual([
      expect.objectContaining({ AccessKeyId: API_USER.accessKeyId, Status: "Active", UserName: "okta-api-user" }),
    ]);
    const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: API_USER.accessKeyId }));
    expect(before.AccessKeyLastUsed).toMatchObject({ ServiceName: "N/A", Region: "N/A" });
    expect(before.AccessKeyLastUsed?.LastUsedDate).toBeUndefined();
    await clients(sandbox, API_USER).sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${NA_PROD}:role/Okta-Idp-cross-account-role`,
        RoleSessionName: "use",
      }),
    );
    const after = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: API_USER.accessKeyId }));
    expect(after).toMatchObject({
      UserName: "okta-api-user",
      AccessKeyLastUsed: { ServiceName: "sts", Region: "us-east-1" },
    });
    expect(after.AccessKeyLastUsed?.LastUsedDate).toBeInstanceOf(Date);
    expect((await failure(clients(sandbox, API_USER).iam.send(new ListAccessKeysCommand({})))).name).toBe(
      "AccessDenied",
    );
  });

  it("reads a role's inline and attached policies, authorized like any IAM read", async () => {
    const { sts } = clients(sandbox, ADMIN);
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${NA_PROD}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "admin",
      }),
    );
    const { iam } = clients(sandbox, sessionCredentials(assumed.Credentials!));
    const RoleName = "Okta-Idp-cross-account-role";
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames ?? [];
    expect(names.length).toBe(1);
    const got = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: names[0]! }));
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toMatchObject({ Version: "2012-10-17" });
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "Admin" }))).AttachedPolicies).toEqual([
      { PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    ]);
    expect((await failure(iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: "nope" })))).name).toBe(
      "NoSuchEntityException",
    );
  });
});
