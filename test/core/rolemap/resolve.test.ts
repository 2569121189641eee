// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Role Value Patterns use Okta's literal ${name} syntax.
import { describe, expect, it } from "vitest";
import {
  type AwsSignOnSettings,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  GroupFilterSyntaxError,
  OKTA_DEFAULT_GROUP_FILTER,
  OKTA_DEFAULT_ROLE_VALUE_PATTERN,
  type ResolveRolesInput,
  resolveRoles,
} from "../../../src/core/rolemap/index.js";

const ACCOUNT_A = "111111111111";
const ACCOUNT_B = "222222222222";

const settings: AwsSignOnSettings = {
  partition: "aws",
  identityProviderArn: `arn:aws:iam::${ACCOUNT_A}:saml-provider/rolebridge`,
  samlProviderNames: { [ACCOUNT_B]: "corp-idp" },
  useGroupMapping: true,
  appFilter: "okta,active_directory",
  groupFilter: DEFAULT_GROUP_FILTER,
  roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
  joinAllRoles: false,
};

const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const providerArn = (account: string, name: string) => `arn:aws:iam::${account}:saml-provider/${name}`;

function resolve(overrides: Partial<ResolveRolesInput> = {}, settingOverrides: Partial<AwsSignOnSettings> = {}) {
  return resolveRoles({ settings: { ...settings, ...settingOverrides }, groups: [], userRoles: [], ...overrides });
}

describe("resolveRoles", () => {
  it("maps each group passing App Filter and Group Filter to one pair, with per-account providers", () => {
    const result = resolve({
      groups: [
        { id: "g2", name: `aws#shared#Read.Only#${ACCOUNT_B}`, source: "active_directory" },
        { id: "g1", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "local" },
        { id: "g3", name: "engineering", source: "local" },
      ],
    });
    expect(result.roles).toEqual([
      {
        roleArn: roleArn(ACCOUNT_A, "Admin"),
        providerArn: providerArn(ACCOUNT_A, "rolebridge"),
        accountId: ACCOUNT_A,
        roleName: "Admin",
        alias: "prod",
        reasons: [
          {
            kind: "group-mapping",
            groupId: "g1",
            groupName: `aws#prod#Admin#${ACCOUNT_A}`,
            source: "local",
            captures: { alias: "prod", role: "Admin", accountid: ACCOUNT_A },
          },
        ],
      },
      expect.objectContaining({
        roleArn: roleArn(ACCOUNT_B, "Read.Only"),
        providerArn: providerArn(ACCOUNT_B, "corp-idp"),
        alias: "shared",
      }),
    ]);
    expect(result.unmatchedByGroupFilter).toEqual([{ groupId: "g3", groupName: "engineering", source: "local" }]);
  });

  it("grants nothing for a look-alike group from a source outside the App Filter", () => {
    const lookAlike = { id: "evil", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "csv:hr-feed" };
    const result = resolve({ groups: [lookAlike] });
    expect(result.roles).toEqual([]);
    expect(result.rejectedByAppFilter).toEqual([{ groupId: "evil", groupName: lookAlike.name, source: "csv:hr-feed" }]);
    // The same name from an allowed source does grant: the source alone made the difference.
    expect(resolve({ groups: [{ ...lookAlike, source: "okta" }] }).roles).toHaveLength(1);
  });

  it("fails closed with an empty App Filter", () => {
    const result = resolve(
      { groups: [{ id: "g", name: `aws#a#Admin#${ACCOUNT_A}`, source: "local" }] },
      { appFilter: "" },
    );
    expect(result.roles).toEqual([]);
    expect(result.rejectedByAppFilter).toHaveLength(1);
  });

  it("Join all roles off: only the user's own roles; group-assigned roles are reported as ignored", () => {
    const input: Partial<ResolveRolesInput> = {
      groups: [{ id: "ops", name: "ops", source: "local" }],
      userRoles: [{ roleArn: roleArn(ACCOUNT_A, "Dev") }],
      groupRoles: [
        { groupId: "ops", roles: [{ roleArn: roleArn(ACCOUNT_B, "Ops") }] },
        { groupId: "not-a-member", roles: [{ roleArn: roleArn(ACCOUNT_B, "Secret") }] },
      ],
    };
    const off = resolve(input, { useGroupMapping: false });
    expect(off.roles.map((r) => r.roleArn)).toEqual([roleArn(ACCOUNT_A, "Dev")]);
    expect(off.roles[0]?.reasons).toEqual([{ kind: "user-assignment" }]);
    expect(off.ignoredGroupAssignments).toEqual([
      {
        groupId: "ops",
        groupName: "ops",
        roleArn: roleArn(ACCOUNT_B, "Ops"),
        priority: null,
        reason: "join_all_roles_off",
      },
    ]);

    const on = resolve(input, { useGroupMapping: false, joinAllRoles: true });
    expect(on.roles.map((r) => [r.roleArn, r.providerArn])).toEqual([
      [roleArn(ACCOUNT_A, "Dev"), providerArn(ACCOUNT_A, "rolebridge")],
      [roleArn(ACCOUNT_B, "Ops"), providerArn(ACCOUNT_B, "corp-idp")],
    ]);
    expect(on.roles[1]?.reasons).toEqual([
      { kind: "group-assignment", groupId: "ops", groupName: "ops", rule: "own+groups", priority: null },
    ]);
    expect(on.ignoredGroupAssignments).toEqual([]);
  });

  it("deduplicates a pair granted several ways and keeps every reason", () => {
    const result = resolve(
      {
        groups: [
          { id: "g1", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "local" },
          { id: "g0", name: `aws#prod-alias#Admin#${ACCOUNT_A}`, source: "local" },
          { id: "ops", name: "ops", source: "ldap" },
        ],
        userRoles: [{ roleArn: roleArn(ACCOUNT_A, "Admin") }],
        groupRoles: [{ groupId: "ops", roles: [{ roleArn: roleArn(ACCOUNT_A, "Admin") }] }],
      },
      { joinAllRoles: true },
    );
    expect(result.roles).toHaveLength(1);
    expect(result.roles[0]?.alias).toBe("prod");
    expect(result.roles[0]?.reasons.map((r) => ("groupId" in r ? r.groupId : r.kind))).toEqual([
      "user-assignment",
      "ops",
      "g1",
      "g0",
    ]);
  });

  it("is deterministic whatever order the groups arrive in", () => {
    const groups = Array.from({ length: 50 }, (_, i) => ({
      id: `g${i}`,
      name: `aws#a${i % 7}#Role${i % 13}#${String(100000000000 + (i % 5))}`,
      source: i % 11 === 0 ? "ldap" : "local",
    }));
    const forward = resolve({ groups });
    const backward = resolve({ groups: [...groups].reverse() });
    expect(backward).toEqual(forward);
    expect(forward.roles.length).toBeGreaterThan(10);
  });

  it("reports matched groups that render an invalid pair", () => {
    const result = resolve(
      {
        groups: [
          { id: "x", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "local" },
          { id: "y", name: "aws#prod#Admin#42", source: "local" },
        ],
      },
      {
        groupFilter: OKTA_DEFAULT_GROUP_FILTER,
        roleValuePattern: OKTA_DEFAULT_ROLE_VALUE_PATTERN,
      },
    );
    expect(result.roles.map((r) => r.providerArn)).toEqual([providerArn(ACCOUNT_A, "OKTA")]);
    expect(result.invalidRenders).toEqual([
      expect.objectContaining({
        groupId: "y",
        rendered: expect.stringContaining("iam::42:"),
        reason: expect.any(String),
      }),
    ]);
  });

  it("reports a missing provider for an account with no provider name", () => {
    const result = resolve(
      { groups: [{ id: "x", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "local" }] },
      { identityProviderArn: null },
    );
    expect(result.invalidRenders[0]).toMatchObject({ rendered: null, reason: expect.stringContaining(ACCOUNT_A) });
  });

  it("reports invalid direct assignments instead of granting them", () => {
    const result = resolve({
      userRoles: [
        { roleArn: "arn:aws-cn:iam::111111111111:role/X" },
        { roleArn: roleArn(ACCOUNT_A, "Y"), providerArn: providerArn(ACCOUNT_B, "P") },
        { roleArn: roleArn(ACCOUNT_A, "Z"), providerArn: providerArn(ACCOUNT_A, "Explicit") },
      ],
    });
    expect(result.roles.map((r) => r.providerArn)).toEqual([providerArn(ACCOUNT_A, "Explicit")]);
    expect(result.invalidAssignments.map((a) => a.reason)).toEqual([
      expect.stringContaining("partition"),
      expect.stringContaining("differs from provider account"),
    ]);
  });

  it("ignores group mapping settings when group mapping is off, and throws on invalid ones when on", () => {
    const broken = { groupFilter: "(?{{role}}" };
    const groups = [{ id: "x", name: `aws#prod#Admin#${ACCOUNT_A}`, source: "local" }];
    expect(resolve({ groups }, { ...broken, useGroupMapping: false }).roles).toEqual([]);
    expect(() => resolve({ groups }, broken)).toThrow(GroupFilterSyntaxError);
  });

  it("supports GovCloud and China partitions", () => {
    const result = resolve(
      { groups: [{ id: "x", name: `aws#gov#Admin#${ACCOUNT_A}`, source: "local" }] },
      { partition: "aws-us-gov", identityProviderArn: `arn:aws-us-gov:iam::${ACCOUNT_A}:saml-provider/gov` },
    );
    expect(result.roles[0]?.roleArn).toBe(`arn:aws-us-gov:iam::${ACCOUNT_A}:role/Admin`);
    expect(result.roles[0]?.providerArn).toBe(`arn:aws-us-gov:iam::${ACCOUNT_A}:saml-provider/gov`);
  });
});
