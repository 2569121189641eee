import { describe, expect, it } from "vitest";
import { auditPolicyText } from "../../../src/core/policy/audit.js";
import { SIZE_QUOTAS, sizeFinding } from "../../../src/core/policy/audit-document.js";
import { checkAction, repairMalformed } from "../../../src/core/policy/catalogue.js";
import { policyDiff } from "../../../src/core/policy/diff.js";
import { keyFindings, principalFromArn } from "../../../src/core/policy/read.js";
import { trustFindings } from "../../../src/core/policy/trust.js";
import { demoContext } from "./demo-context.js";

const ctx = demoContext();
const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement }, null, 2);
const codes = async (text: string) => (await auditPolicyText("p.json", text, ctx)).map((f) => f.code);

describe("audit of one document", () => {
  it("flags NotAction and NotResource allows, IAM write access, wildcards and unknown actions with a suggestion", async () => {
    expect(await codes(policy({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }))).toEqual(
      expect.arrayContaining(["not_action_allow", "assume_role_wildcard"]),
    );
    expect(
      await codes(policy({ Effect: "Allow", Action: "sts:AssumeRole", NotResource: "arn:aws:iam::*:role/Admin" })),
    ).toContain("not_resource_allow");
    const iam = await auditPolicyText(
      "p.json",
      policy({ Effect: "Allow", Action: ["iam:*", "iam:PutUserPolicy", "*"], Resource: "*" }),
      ctx,
    );
    expect(iam.filter((f) => f.code === "iam_write")).toHaveLength(2);
    expect(iam).toContainEqual(
      expect.objectContaining({ code: "action_wildcard", severity: "high", path: "Statement[0].Action[2]" }),
    );
    const unknown = await auditPolicyText(
      "p.json",
      policy({ Effect: "Allow", Action: ["sts:AssumreRole", "stss:AssumeRole", "s3:Nothing*"], Resource: "*" }),
      ctx,
    );
    expect(unknown).toContainEqual(
      expect.objectContaining({ code: "unknown_action", suggestion: "sts:AssumeRole", path: "Statement[0].Action[0]" }),
    );
    expect(unknown).toContainEqual(
      expect.objectContaining({ code: "unknown_action", suggestion: "sts:AssumeRole", path: "Statement[0].Action[1]" }),
    );
    expect(unknown).toContainEqual(
      expect.objectContaining({ code: "action_matches_nothing", path: "Statement[0].Action[2]" }),
    );
  });

  it("flags a role name that differs only in case, and a role in an account that is not connected", async () => {
    const found = await auditPolicyText(
      "p.json",
      policy({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: [
          "arn:aws:iam::222233334444:role/Okta-idp-cross-account-role",
          "arn:aws:iam::123456789012:role/Okta-Idp-cross-account-role",
        ],
      }),
      ctx,
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        code: "role_name_case",
        suggestion: "arn:aws:iam::222233334444:role/Okta-Idp-cross-account-role",
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ code: "role_outside_connected_accounts", path: "Statement[0].Resource[1]" }),
    );
  });

  it("reports IAM's size quotas as IAM counts them (no whitespace)", () => {
    expect(sizeFinding("p", ["x".repeat(1900)], SIZE_QUOTAS.userInline, "it")).toMatchObject({
      code: "near_size_quota",
      severity: "low",
    });
    expect(sizeFinding("p", ["x".repeat(2049)], SIZE_QUOTAS.userInline, "it")).toMatchObject({
      code: "over_size_quota",
      severity: "high",
    });
    expect(sizeFinding("p", [`${"x".repeat(1000)}${" ".repeat(5000)}`], SIZE_QUOTAS.userInline, "it")).toBeUndefined();
  });

  it("knows the catalogue: wildcards expand, malformed strings are repaired", async () => {
    expect(await checkAction("sts:Assume*")).toMatchObject({
      kind: "ok",
      matches: expect.arrayContaining(["sts:AssumeRole", "sts:AssumeRoleWithSAML"]),
    });
    expect(await repairMalformed("sts.AssumreRole")).toBe("sts:AssumeRole");
    expect(await repairMalformed("iam/ListRoles")).toBe("iam:ListRoles");
  });
});

describe("keys, trust, principals, diff", () => {
  it("old keys, keys never used and keys idle for 90 days", () => {
    const now = new Date("2026-12-01T00:00:00Z");
    const reading = {
      principal: principalFromArn("arn:aws:iam::111122223333:user/service/okta-api-user"),
      policies: [],
      gaps: [],
      keys: [
        {
          accessKeyId: "AKIAOLD",
          status: "Active",
          createDate: new Date("2026-01-01T00:00:00Z"),
          lastUsed: new Date("2026-11-30T00:00:00Z"),
          lastService: "sts",
        },
        {
          accessKeyId: "AKIASPARE",
          status: "Active",
          createDate: new Date("2026-11-01T00:00:00Z"),
          lastUsed: null,
          lastService: "N/A",
        },
        {
          accessKeyId: "AKIAIDLE",
          status: "Active",
          createDate: new Date("2026-11-01T00:00:00Z"),
          lastUsed: new Date("2026-08-01T00:00:00Z"),
          lastService: "iam",
        },
      ],
    };
    expect(keyFindings(reading, "AKIAOLD", now).map((f) => [f.code, f.message.split(" ")[2]])).toEqual([
      ["key_old", "AKIAOLD"],
      ["key_unused", "AKIASPARE"],
      ["key_unused", "AKIAIDLE"],
    ]);
  });

  it("a trust policy naming the principal with a condition passes; '*' is high; a missing role is reported", () => {
    const narrowed = structuredClone(ctx);
    const account = narrowed.accounts.find((a) => a.accountId === "222233334444")!;
    const role = account.roles.find((r) => r.name === narrowed.crossAccountRoleName)!;
    role.trustPolicy = JSON.stringify({
      Statement: [{ Effect: "Allow", Principal: { AWS: narrowed.principalArn }, Action: "sts:AssumeRole" }],
    });
    narrowed.accounts
      .find((a) => a.accountId === "333344445555")!
      .roles.find((r) => r.name === narrowed.crossAccountRoleName)!.trustPolicy = JSON.stringify({
      Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }],
    });
    const last = narrowed.accounts.find((a) => a.accountId === "555566667777")!;
    last.roles = last.roles.filter((r) => r.name !== narrowed.crossAccountRoleName);
    const found = trustFindings(narrowed);
    expect(found.map((f) => [f.code, f.severity, f.message.match(/\d{12}/)?.[0]])).toEqual([
      ["trust_too_broad", "high", "333344445555"],
      ["trust_too_broad", "medium", "444455556666"],
      ["cross_account_role_missing", "high", "555566667777"],
    ]);
  });

  it("reads principals from user, role and assumed-role ARNs", () => {
    expect(principalFromArn("arn:aws:sts::222233334444:assumed-role/Okta-Idp-cross-account-role/s")).toEqual({
      kind: "role",
      arn: "arn:aws:iam::222233334444:role/Okta-Idp-cross-account-role",
      name: "Okta-Idp-cross-account-role",
      accountId: "222233334444",
    });
    expect(() => principalFromArn("arn:aws:s3:::bucket")).toThrow(/not an IAM user or role ARN/);
  });

  it("diffs documents by content, not formatting", () => {
    expect(policyDiff('{"a":1,"b":2}', '{\n "a": 1,\n "b": 3\n}')).toBe(
      '  {\n    "a": 1,\n-   "b": 2\n+   "b": 3\n  }',
    );
  });
});
