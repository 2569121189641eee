import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultAwsClients } from "../../../src/core/aws/clients.js";
import { readAwsAccounts, samlProvidersTrusted } from "../../../src/core/migration/aws-inventory.js";
import { DEMO } from "../../../src/sandbox/demo.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";

describe("reading each account with the legacy app's keys", () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
  });
  afterAll(() => sandbox?.close());

  it("lists roles, SAML providers and who each role trusts; an account it cannot enter is reported, not fatal", async () => {
    const target = { partition: "aws" as const, region: "us-east-1", endpointUrl: sandbox.url };
    const keys = { accessKeyId: DEMO.apiUser.accessKeyId, secretAccessKey: DEMO.apiUser.secretAccessKey };
    const accounts = [DEMO.accounts["acme-management"], DEMO.accounts["northamerica-production"], "999988887777"];
    const states = await readAwsAccounts(defaultAwsClients, target, keys, {
      accountIds: accounts,
      crossAccountRoleName: DEMO.crossAccountRoleName,
    });
    const prod = states.get(DEMO.accounts["northamerica-production"])!;
    expect(prod.status).toBe("ok");
    expect(prod.roles?.map((r) => r.arn)).toContain("arn:aws:iam::222233334444:role/support/Tier1_Support");
    const trust = prod.trusts.find((t) => t.roleArn === "arn:aws:iam::222233334444:role/Admin");
    expect(trust?.providerArns).toEqual([
      "arn:aws:iam::222233334444:saml-provider/okta",
      "arn:aws:iam::222233334444:saml-provider/rolebridge",
    ]);
    // Either the keys may list providers, or the error says why not: never both, never silence.
    expect((prod.providers === null) !== (prod.providersError === null)).toBe(true);
    const gone = states.get("999988887777")!;
    expect(gone.status).toBe("unreachable");
    expect(gone.error).toMatch(/AccessDenied/);
  });

  it("reads AssumeRoleWithSAML trust from policy documents as IAM returns them (URL-encoded)", () => {
    const doc = encodeURIComponent(
      JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::1:saml-provider/b" },
            Action: ["sts:AssumeRoleWithSAML"],
          },
          {
            Effect: "Deny",
            Principal: { Federated: "arn:aws:iam::1:saml-provider/c" },
            Action: "sts:AssumeRoleWithSAML",
          },
          { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "sts:AssumeRole" },
          { Effect: "Allow", Principal: { Federated: ["arn:aws:iam::1:saml-provider/a"] }, Action: "sts:*" },
        ],
      }),
    );
    expect(samlProvidersTrusted(doc)).toEqual(["arn:aws:iam::1:saml-provider/a", "arn:aws:iam::1:saml-provider/b"]);
    expect(samlProvidersTrusted("%7Bnot json")).toEqual([]);
  });
});
