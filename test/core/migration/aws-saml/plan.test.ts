import { describe, expect, it } from "vitest";
import type { AccountSamlState } from "../../../../src/core/migration/aws-saml/account-state.js";
import { describeAccountPlan, planAccount, type SamlTarget } from "../../../../src/core/migration/aws-saml/plan.js";
import { idpMetadata } from "../../../sandbox/helpers/saml.js";

const ACCOUNT = "222233334444";
const ACS = "https://signin.aws.amazon.com/saml";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/rolebridge`;
const OKTA = `arn:aws:iam::${ACCOUNT}:saml-provider/okta`;
const target: SamlTarget = { providerName: "rolebridge", metadata: idpMetadata(), acsUrls: [ACS] };

const oktaTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Federated: OKTA },
      Action: "sts:AssumeRoleWithSAML",
      Condition: { StringEquals: { "SAML:aud": ACS } },
    },
  ],
});

function state(overrides: Partial<AccountSamlState> = {}): AccountSamlState {
  return {
    accountId: ACCOUNT,
    partition: "aws",
    providerArns: [OKTA],
    provider: null,
    roles: [
      { arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, name: "Admin", path: "/", trustPolicy: oktaTrust },
      {
        arn: `arn:aws:iam::${ACCOUNT}:role/support/Tier1_Support`,
        name: "Tier1_Support",
        path: "/support/",
        trustPolicy: oktaTrust,
      },
    ],
    ...overrides,
  };
}

/** What the plan's changes do to the state: the provider set, each role's trust replaced by its `after`. */
function applied(before: AccountSamlState, plan: ReturnType<typeof planAccount>): AccountSamlState {
  return {
    ...before,
    provider: { arn: plan.provider.arn, metadata: target.metadata },
    roles: before.roles.map((r, i) => ({ ...r, trustPolicy: plan.roles[i]!.after })),
  };
}

describe("SAML setup planner", () => {
  it("on a fresh account creates the provider and adds one statement per role, keeping the existing ones", () => {
    const plan = planAccount(state(), target);
    expect(plan.empty).toBe(false);
    expect(plan.provider).toEqual({ action: "create", arn: PROVIDER, name: "rolebridge", metadataBefore: null });
    for (const role of plan.roles) {
      expect(role.action).toBe("add");
      expect(role.before).toBe(oktaTrust);
      const after = JSON.parse(role.after!);
      expect(after.Statement).toHaveLength(2);
      expect(after.Statement[0]).toEqual(JSON.parse(oktaTrust).Statement[0]);
      expect(after.Statement[1]).toEqual({
        Sid: "RolebridgeSamlrolebridge",
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": ACS } },
      });
    }
    const text = describeAccountPlan(plan);
    expect(text).toContain(`+ create SAML provider ${PROVIDER}`);
    expect(text).toContain(`+         "Federated": "${PROVIDER}"`);
    expect(text).not.toMatch(/^ *- /m);
  });

  it("plans nothing on the state its own changes produce", () => {
    const first = planAccount(state(), target);
    const second = planAccount(applied(state(), first), target);
    expect(second.empty).toBe(true);
    expect(second.provider.action).toBe("unchanged");
    expect(second.roles.map((r) => r.action)).toEqual(["unchanged", "unchanged"]);
    expect(second.roles.map((r) => r.after)).toEqual(first.roles.map((r) => r.after));
  });

  it("counts an equivalent statement someone else wrote as done, and a narrower one as not", () => {
    const ours = (extra: Record<string, unknown>) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Principal: { Federated: [OKTA, PROVIDER] },
          Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
          Condition: { StringEquals: { "SAML:aud": [ACS, "urn:amazon:webservices"] }, ...extra },
        },
      });
    const roles = (trust: string) => [
      { arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, name: "Admin", path: "/", trustPolicy: trust },
    ];
    expect(planAccount(state({ roles: roles(ours({})) }), target).roles[0]!.action).toBe("unchanged");
    const narrower = planAccount(
      state({ roles: roles(ours({ StringLike: { "SAML:sub": "*@example.com" } })) }),
      target,
    );
    expect(narrower.roles[0]!.action).toBe("add");
    // A single-statement document keeps its statement and becomes a list.
    expect(JSON.parse(narrower.roles[0]!.after!).Statement[0]).toEqual(
      JSON.parse(ours({ StringLike: { "SAML:sub": "*@example.com" } })).Statement,
    );
  });

  it("updates the provider when its metadata changed (a new signing key) and reports missing roles", () => {
    const old = idpMetadata(undefined, "https://old.rolebridge.test/saml/metadata");
    const plan = planAccount(
      state({
        provider: { arn: PROVIDER, metadata: old },
        roles: [{ arn: `arn:aws:iam::${ACCOUNT}:role/Gone`, name: "Gone", path: "/", trustPolicy: null }],
      }),
      target,
    );
    expect(plan.provider).toMatchObject({ action: "update", metadataBefore: old });
    expect(plan.roles[0]).toMatchObject({ action: "missing", before: null, after: null });
    expect(plan.empty).toBe(false);
    expect(describeAccountPlan(plan)).toContain("does not exist: skipped");
  });

  it("refuses a target AWS would refuse, naming the problem", () => {
    expect(() => planAccount(state(), { ...target, providerName: "bad name" })).toThrow(/provider name "bad name"/);
    expect(() => planAccount(state(), { ...target, metadata: "<x/>" })).toThrow(/1,000 to 10,000,000/);
    expect(() => planAccount(state(), { ...target, acsUrls: [] })).toThrow(/at least one ACS/);
  });
});
