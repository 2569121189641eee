import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
} from "@aws-sdk/client-organizations";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { clients, demoSandbox, failure, MANAGEMENT, NA_PROD, sessionCredentials } from "./helpers/sandbox.js";

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await demoSandbox();
});
afterAll(() => sandbox.close());

describe("Organizations (JSON 1.1)", () => {
  it("pages ListAccounts with NextToken", async () => {
    const { org } = clients(sandbox);
    const first = await org.send(new ListAccountsCommand({ MaxResults: 3 }));
    expect(first.Accounts).toHaveLength(3);
    expect(first.NextToken).toBeDefined();
    const second = await org.send(new ListAccountsCommand({ MaxResults: 3, NextToken: first.NextToken }));
    expect(second.NextToken).toBeUndefined();
    const all = [...first.Accounts!, ...second.Accounts!];
    expect(all.map((a) => a.Id)).toEqual([
      "111122223333",
      "222233334444",
      "333344445555",
      "444455556666",
      "555566667777",
    ]);
    expect(all[1]).toMatchObject({
      Name: "North America Production",
      Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-a1b2c3d4e5/${NA_PROD}`,
      Status: "ACTIVE",
      JoinedMethod: "INVITED",
    });
    expect(all[1]?.JoinedTimestamp).toBeInstanceOf(Date);
  });

  it("describes the organization and an account", async () => {
    const { org } = clients(sandbox);
    const { Organization } = await org.send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({ Id: "o-a1b2c3d4e5", MasterAccountId: MANAGEMENT, FeatureSet: "ALL" });
    const { Account } = await org.send(new DescribeAccountCommand({ AccountId: NA_PROD }));
    expect(Account?.Email).toBe("aws-na-prod@acme.example");
    expect(await failure(org.send(new DescribeAccountCommand({ AccountId: "999999999999" })))).toMatchObject({
      name: "AccountNotFoundException",
      message: "You specified an account that doesn't exist.",
    });
  });

  it("refuses bad paging tokens and member-account callers", async () => {
    const { org, sts } = clients(sandbox);
    const bad = await failure(org.send(new ListAccountsCommand({ NextToken: "garbage" })));
    expect(bad.name).toBe("InvalidInputException");
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${NA_PROD}:role/Okta-Idp-cross-account-role`,
        RoleSessionName: "member",
      }),
    );
    const member = clients(sandbox, sessionCredentials(assumed.Credentials!));
    expect((await failure(member.org.send(new ListAccountsCommand({})))).name).toBe("AccessDeniedException");
  });
});
