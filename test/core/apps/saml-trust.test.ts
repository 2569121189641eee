import { describe, expect, it } from "vitest";
import { admitsSamlProvider } from "../../../src/core/aws/saml-trust.js";

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const saml = {
  Effect: "Allow",
  Principal: { Federated: "arn:aws:iam::111122223333:saml-provider/rolebridge" },
  Action: "sts:AssumeRoleWithSAML",
  Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
};

/** Issue 16 item 8: which roles a SAML sign-in could ever reach, read from their trust policies. */
describe("admitsSamlProvider", () => {
  it("admits a role whose trust lets a SAML provider assume it, in any of AWS's spellings", () => {
    expect(admitsSamlProvider(doc(saml))).toBe(true);
    expect(admitsSamlProvider(JSON.stringify({ Statement: saml }))).toBe(true);
    expect(admitsSamlProvider(doc({ ...saml, Action: ["sts:TagSession", "sts:AssumeRoleWithSAML"] }))).toBe(true);
    expect(admitsSamlProvider(doc({ ...saml, Action: "sts:*" }))).toBe(true);
    const gov = { Federated: ["arn:aws-us-gov:iam::111122223333:saml-provider/a"] };
    expect(admitsSamlProvider(doc({ ...saml, Principal: gov }))).toBe(true);
  });

  it("refuses roles only accounts, services or OIDC providers can assume, and Deny statements", () => {
    const orgAccess = {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::111122223333:root" },
      Action: "sts:AssumeRole",
    };
    expect(admitsSamlProvider(doc(orgAccess))).toBe(false);
    expect(admitsSamlProvider(doc({ ...saml, Effect: "Deny" }))).toBe(false);
    expect(admitsSamlProvider(doc({ ...saml, Action: "sts:AssumeRole" }))).toBe(false);
    const oidc = { Federated: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" };
    expect(admitsSamlProvider(doc({ ...saml, Principal: oidc, Action: "sts:AssumeRoleWithWebIdentity" }))).toBe(false);
    expect(admitsSamlProvider(doc({ ...saml, Principal: oidc }))).toBe(false);
    expect(admitsSamlProvider(doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "*" }))).toBe(
      false,
    );
  });

  it("shows a role whose trust it cannot read rather than hide one an admin may need", () => {
    expect(admitsSamlProvider(null)).toBe(true);
    expect(admitsSamlProvider("{not json")).toBe(true);
  });
});
