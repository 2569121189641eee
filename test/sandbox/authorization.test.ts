import { GetRoleCommand, ListRolesCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { ADMIN, clients, demoSandbox, failure, MANAGEMENT, NA_PROD, sessionCredentials } from "./helpers/sandbox.js";

const CROSS_ACCOUNT = `arn:aws:iam::${NA_PROD}:role/Okta-Idp-cross-account-role`;
const ADMIN_ROLE = `arn:aws:iam::${NA_PROD}:role/Admin`;
const API_USER_ARN = `arn:aws:iam::${MANAGEMENT}:user/service/okta-api-user`;

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await demoSandbox();
});
afterAll(() => sandbox.close());

describe("AssumeRole authorization", () => {
  it("lets the admin administer a member account through OrganizationAccountAccessRole", async () => {
    const { sts } = clients(sandbox, ADMIN);
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${NA_PROD}:role/OrganizationAccountAccessRole`,
        RoleSessionName: "setup",
      }),
    );
    const member = clients(sandbox, sessionCredentials(assumed.Credentials!));
    const { Role } = await member.iam.send(new GetRoleCommand({ RoleName: "Admin" }));
    expect(Role?.Arn).toBe(ADMIN_ROLE);
  });

  it("lets the API-mode user assume any role its trust admits, until its policy is narrowed", async () => {
    const { sts } = clients(sandbox);
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: CROSS_ACCOUNT, RoleSessionName: "okta-sync" }));
    expect(assumed.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${NA_PROD}:assumed-role/Okta-Idp-cross-account-role/okta-sync`,
    );

    // The role session lists roles in the member account through the role's own inline policy.
    const asRole = clients(sandbox, sessionCredentials(assumed.Credentials!));
    const identity = await asRole.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(NA_PROD);
    const roles = await asRole.iam.send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toContain("Okta-Idp-cross-account-role");
    expect(await failure(asRole.iam.send(new GetRoleCommand({ RoleName: "Admin" })))).toMatchObject({
      name: "AccessDenied",
      status: 403,
      message: `User: arn:aws:sts::${NA_PROD}:assumed-role/Okta-Idp-cross-account-role/okta-sync is not authorized to perform: iam:GetRole on resource: ${ADMIN_ROLE} because no identity-based policy allows the iam:GetRole action`,
    });

    // Before the audit, sts:AssumeRole on "*" is allowed by identity, and the SAML-only trust is what stops it.
    expect(
      (await failure(sts.send(new AssumeRoleCommand({ RoleArn: ADMIN_ROLE, RoleSessionName: "okta-sync" })))).name,
    ).toBe("AccessDenied");

    // The policy audit narrows the user's policy to the cross-account role only.
    const narrowed = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/Okta-Idp-cross-account-role" },
        { Effect: "Allow", Action: ["iam:ListRoles", "iam:ListAccountAliases"], Resource: "*" },
      ],
    };
    await clients(sandbox, ADMIN).iam.send(
      new PutUserPolicyCommand({
        UserName: "okta-api-user",
        PolicyName: "okta-legacy-api-mode",
        PolicyDocument: JSON.stringify(narrowed),
      }),
    );
    // A role whose trust admits the management account, so only the identity policy can deny it.
    const { CreateRoleCommand } = await import("@aws-sdk/client-iam");
    await clients(sandbox, ADMIN).iam.send(
      new CreateRoleCommand({
        RoleName: "Automation",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const automation = `arn:aws:iam::${MANAGEMENT}:role/Automation`;
    expect(
      await failure(sts.send(new AssumeRoleCommand({ RoleArn: automation, RoleSessionName: "okta-sync" }))),
    ).toMatchObject({
      name: "AccessDenied",
      status: 403,
      message: `User: ${API_USER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${automation}`,
    });
    const again = await sts.send(new AssumeRoleCommand({ RoleArn: CROSS_ACCOUNT, RoleSessionName: "okta-sync" }));
    expect(again.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it("enforces DurationSeconds limits and the role-chaining hour", async () => {
    const { sts } = clients(sandbox, ADMIN);
    const role = `arn:aws:iam::${MANAGEMENT}:role/Automation`;
    expect(
      await failure(sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "long", DurationSeconds: 7200 }))),
    ).toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    expect(
      (
        await failure(
          sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "short", DurationSeconds: 899 })),
        )
      ).name,
    ).toBe("ValidationError");
    // A trust policy naming the Automation role itself admits its sessions without any identity policy.
    const { CreateRoleCommand } = await import("@aws-sdk/client-iam");
    await clients(sandbox, ADMIN).iam.send(
      new CreateRoleCommand({
        RoleName: "Chained",
        MaxSessionDuration: 7200,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: role }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    const chainedRole = `arn:aws:iam::${MANAGEMENT}:role/Chained`;
    const first = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: "first" }));
    const chained = clients(sandbox, sessionCredentials(first.Credentials!));
    const tooLong = chained.sts.send(
      new AssumeRoleCommand({ RoleArn: chainedRole, RoleSessionName: "second", DurationSeconds: 3601 }),
    );
    expect((await failure(tooLong)).message).toBe(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
    const second = await chained.sts.send(new AssumeRoleCommand({ RoleArn: chainedRole, RoleSessionName: "second" }));
    expect(second.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MANAGEMENT}:assumed-role/Chained/second`);
  });

  it("denies an explicitly denied action with AWS's wording", async () => {
    const deny = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "iam:*", Resource: "*" },
        { Effect: "Deny", Action: "iam:ListRoles", Resource: "*" },
      ],
    };
    await clients(sandbox, ADMIN).iam.send(
      new PutUserPolicyCommand({
        UserName: "okta-api-user",
        PolicyName: "deny-list",
        PolicyDocument: JSON.stringify(deny),
      }),
    );
    const error = await failure(clients(sandbox).iam.send(new ListRolesCommand({})));
    expect(error.message).toBe(
      `User: ${API_USER_ARN} is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::${MANAGEMENT}:role/ with an explicit deny in an identity-based policy`,
    );
  });
});

describe("authorization comes before existence", () => {
  it("answers AccessDenied, not NoSuchEntity, to a caller without permission", async () => {
    // The cross-account role may only list roles and aliases.
    const assumed = await clients(sandbox, ADMIN).sts.send(
      new AssumeRoleCommand({ RoleArn: CROSS_ACCOUNT, RoleSessionName: "probe" }),
    );
    const lister = clients(sandbox, sessionCredentials(assumed.Credentials!));
    const error = await failure(lister.iam.send(new GetRoleCommand({ RoleName: "DoesNotExist" })));
    expect(error).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(error.message).toContain(`on resource: arn:aws:iam::${NA_PROD}:role/DoesNotExist`);
    const admin = await failure(clients(sandbox, ADMIN).iam.send(new GetRoleCommand({ RoleName: "DoesNotExist" })));
    expect(admin.name).toBe("NoSuchEntityException");
  });
});
