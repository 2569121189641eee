import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateSAMLProviderCommand,
  DeleteRoleCommand,
  DeleteSAMLProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetSAMLProviderCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccountAliasesCommand,
  ListAttachedUserPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolesCommand,
  ListSAMLProvidersCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateSAMLProviderCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { IDP_CERT, idpMetadata, OTHER_KEY } from "./helpers/saml.js";
import { ADMIN, clients, demoSandbox, failure, MANAGEMENT } from "./helpers/sandbox.js";

let sandbox: SandboxHandle;
let iam: ReturnType<typeof clients>["iam"];
beforeAll(async () => {
  sandbox = await demoSandbox();
  iam = clients(sandbox, ADMIN).iam;
});
afterAll(() => sandbox.close());

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: "sts:AssumeRole" }],
});

describe("IAM roles", () => {
  it("pages ListRoles with Marker/MaxItems and filters by PathPrefix", async () => {
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: marker }));
      names.push(...(page.Roles ?? []).map((r) => r.RoleName!));
      marker = page.IsTruncated ? page.Marker : undefined;
      pages += 1;
    } while (marker);
    expect(names).toEqual(["Admin", "Billing.Viewer", "ReadOnly", "Tier1_Support"]);
    expect(pages).toBe(2);
    const support = await iam.send(new ListRolesCommand({ PathPrefix: "/support/" }));
    expect(support.Roles?.map((r) => r.Arn)).toEqual([`arn:aws:iam::${MANAGEMENT}:role/support/Tier1_Support`]);
  });

  it("returns trust policies URL-encoded, as IAM does", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "Admin" }));
    const document = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!));
    expect(document.Statement[0].Action).toBe("sts:AssumeRoleWithSAML");
    expect(Role?.MaxSessionDuration).toBe(43200);
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
  });

  it("creates, updates and deletes a role, refusing duplicates and bad documents", async () => {
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: "Deploy", Path: "/ci/", AssumeRolePolicyDocument: trust }),
    );
    expect(created.Role?.Arn).toBe(`arn:aws:iam::${MANAGEMENT}:role/ci/Deploy`);
    expect(
      await failure(iam.send(new CreateRoleCommand({ RoleName: "deploy", AssumeRolePolicyDocument: trust }))),
    ).toMatchObject({
      name: "EntityAlreadyExistsException",
      message: "Role with name deploy already exists.",
      status: 409,
    });
    expect(
      (await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Deploy", PolicyDocument: "{not json" }))))
        .name,
    ).toBe("MalformedPolicyDocumentException");
    const noPrincipal = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }],
    });
    expect(
      (await failure(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Deploy", PolicyDocument: noPrincipal }))))
        .name,
    ).toBe("MalformedPolicyDocumentException");
    await iam.send(new DeleteRoleCommand({ RoleName: "Deploy" }));
    expect(await failure(iam.send(new GetRoleCommand({ RoleName: "Deploy" })))).toMatchObject({
      name: "NoSuchEntityException",
      message: "The role with name Deploy cannot be found.",
      status: 404,
    });
  });

  it("refuses to delete a role that still has policies", async () => {
    expect(await failure(iam.send(new DeleteRoleCommand({ RoleName: "Admin" })))).toMatchObject({
      name: "DeleteConflictException",
      message: "Cannot delete entity, must detach all policies first.",
    });
  });

  it("validates parameters with AWS's constraint messages", async () => {
    const error = await failure(
      iam.send(new CreateRoleCommand({ RoleName: "has space", AssumeRolePolicyDocument: trust })),
    );
    expect(error).toMatchObject({ name: "ValidationError", status: 400 });
    expect(error.message).toBe(
      "1 validation error detected: Value 'has space' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });
});

describe("IAM account aliases and SAML providers", () => {
  it("lists and replaces the account alias, refusing one taken by another account", async () => {
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["acme-management"]);
    expect(
      (await failure(iam.send(new CreateAccountAliasCommand({ AccountAlias: "northamerica-production" })))).name,
    ).toBe("EntityAlreadyExistsException");
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "acme-root" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["acme-root"]);
  });

  it("creates, reads, lists, updates and deletes a SAML provider", async () => {
    const { SAMLProviderArn } = await iam.send(
      new CreateSAMLProviderCommand({ Name: "rolebridge", SAMLMetadataDocument: idpMetadata() }),
    );
    expect(SAMLProviderArn).toBe(`arn:aws:iam::${MANAGEMENT}:saml-provider/rolebridge`);
    const listed = await iam.send(new ListSAMLProvidersCommand({}));
    expect(listed.SAMLProviderList?.map((p) => p.Arn)).toContain(SAMLProviderArn);
    const rotated = idpMetadata(IDP_CERT, "https://idp.rolebridge.test/rotated");
    await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn, SAMLMetadataDocument: rotated }));
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn }))).SAMLMetadataDocument).toBe(rotated);
    await iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn }));
    expect((await failure(iam.send(new GetSAMLProviderCommand({ SAMLProviderArn })))).name).toBe(
      "NoSuchEntityException",
    );
  });

  it("refuses metadata it cannot use", async () => {
    const garbage = `<notmetadata>${"x".repeat(1200)}</notmetadata>`;
    expect(
      await failure(iam.send(new CreateSAMLProviderCommand({ Name: "broken", SAMLMetadataDocument: garbage }))),
    ).toMatchObject({
      name: "InvalidInputException",
      message: "Could not parse metadata",
    });
    // A private key is not a certificate.
    const withKey = idpMetadata(OTHER_KEY);
    expect(
      (await failure(iam.send(new CreateSAMLProviderCommand({ Name: "broken", SAMLMetadataDocument: withKey })))).name,
    ).toBe("InvalidInputException");
  });
});

describe("IAM users and managed policies", () => {
  it("reads the API-mode user, its inline policy and attached policies", async () => {
    const { User } = await iam.send(new GetUserCommand({ UserName: "okta-api-user" }));
    expect(User?.Arn).toBe(`arn:aws:iam::${MANAGEMENT}:user/service/okta-api-user`);
    expect((await iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName)).toEqual([
      "okta-api-user",
      "sandbox-admin",
    ]);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "okta-api-user" }))).PolicyNames).toEqual([
      "okta-legacy-api-mode",
    ]);
    const inline = await iam.send(
      new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }),
    );
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument!)).Statement[0]).toMatchObject({
      Action: "sts:AssumeRole",
      Resource: "*",
    });
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "sandbox-admin" }));
    expect(attached.AttachedPolicies).toEqual([
      { PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    ]);
    expect((await iam.send(new GetUserCommand({}))).User?.UserName).toBe("sandbox-admin");
  });

  it("creates access keys up to AWS's limit of two", async () => {
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "okta-api-user" }));
    expect(AccessKey?.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(AccessKey?.SecretAccessKey).toHaveLength(40);
    expect(await failure(iam.send(new CreateAccessKeyCommand({ UserName: "okta-api-user" })))).toMatchObject({
      name: "LimitExceededException",
      message: "Cannot exceed quota for AccessKeysPerUser: 2",
    });
  });

  it("keeps managed policy versions, at most five, and switches the default", async () => {
    const document = (action: string) =>
      JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: "AuditRead", PolicyDocument: document("iam:Get*") }),
    );
    const PolicyArn = Policy!.Arn!;
    for (const n of [2, 3, 4, 5]) {
      const { PolicyVersion } = await iam.send(
        new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: document(`iam:List${n}*`), SetAsDefault: n === 3 }),
      );
      expect(PolicyVersion?.VersionId).toBe(`v${n}`);
    }
    expect((await iam.send(new GetPolicyCommand({ PolicyArn }))).Policy?.DefaultVersionId).toBe("v3");
    const sixth = await failure(
      iam.send(new CreatePolicyVersionCommand({ PolicyArn, PolicyDocument: document("iam:*") })),
    );
    expect(sixth).toMatchObject({ name: "LimitExceededException", status: 409 });
    const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ["v5", false],
      ["v4", false],
      ["v3", true],
      ["v2", false],
      ["v1", false],
    ]);
    const v3 = await iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: "v3" }));
    expect(JSON.parse(decodeURIComponent(v3.PolicyVersion!.Document!)).Statement[0].Action).toBe("iam:List3*");
  });

  it("attaches managed policies and puts inline ones, refusing unknown policies and malformed documents", async () => {
    await iam.send(
      new AttachUserPolicyCommand({ UserName: "okta-api-user", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
    );
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "okta-api-user" }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["ReadOnlyAccess"]);
    expect(
      (
        await failure(
          iam.send(
            new AttachUserPolicyCommand({ UserName: "okta-api-user", PolicyArn: "arn:aws:iam::aws:policy/Nope" }),
          ),
        )
      ).name,
    ).toBe("NoSuchEntityException");
    const dotted = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts.AssumeRole", Resource: "*" }],
    });
    const error = await failure(
      iam.send(new PutUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "p", PolicyDocument: dotted })),
    );
    expect(error.name).toBe("MalformedPolicyDocumentException");
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: "okta-api-user" }))).PolicyNames).toEqual([
      "okta-legacy-api-mode",
    ]);
  });
});
