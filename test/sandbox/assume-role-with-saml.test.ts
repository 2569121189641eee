import { CreateRoleCommand, CreateSAMLProviderCommand } from "@aws-sdk/client-iam";
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { idpMetadata, OTHER_KEY, samlResponse, samlResponseXml } from "./helpers/saml.js";
import { ADMIN, clients, demoSandbox, failure, MANAGEMENT, sessionCredentials } from "./helpers/sandbox.js";

const PROVIDER = `arn:aws:iam::${MANAGEMENT}:saml-provider/rolebridge`;
const ADMIN_ROLE = `arn:aws:iam::${MANAGEMENT}:role/Admin`;
const READONLY_ROLE = `arn:aws:iam::${MANAGEMENT}:role/ReadOnly`;
const pair = (role: string) => `${role},${PROVIDER}`;

let sandbox: SandboxHandle;
let sts: STSClient;

beforeAll(async () => {
  sandbox = await demoSandbox();
  const { iam } = clients(sandbox, ADMIN);
  await iam.send(new CreateSAMLProviderCommand({ Name: "rolebridge", SAMLMetadataDocument: idpMetadata() }));
  // A role whose trust allows session tags and source identity, for the attribute tests.
  await iam.send(
    new CreateRoleCommand({
      RoleName: "Tagged",
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: PROVIDER },
            Action: ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"],
            Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
          },
        ],
      }),
    }),
  );
  // AssumeRoleWithSAML is unsigned in SDK v3; the client needs no credentials.
  sts = new STSClient({ endpoint: sandbox.url, region: "us-east-1", maxAttempts: 1 });
});
afterAll(() => sandbox.close());

const assume = (
  SAMLAssertion: string,
  RoleArn = ADMIN_ROLE,
  extra: { DurationSeconds?: number; PrincipalArn?: string } = {},
) => sts.send(new AssumeRoleWithSAMLCommand({ RoleArn, PrincipalArn: PROVIDER, SAMLAssertion, ...extra }));

describe("AssumeRoleWithSAML", () => {
  it("turns a response signed by the registered key into working credentials", async () => {
    const result = await assume(samlResponse({ roles: [pair(ADMIN_ROLE), pair(READONLY_ROLE)] }));
    expect(result.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MANAGEMENT}:assumed-role/Admin/alice@example.com`);
    expect(result.Issuer).toBe("https://idp.rolebridge.test/saml/metadata");
    expect(result.Audience).toBe("https://signin.aws.amazon.com/saml");
    expect(result.Subject).toBe("alice@example.com");
    expect(result.SubjectType).toBe("persistent");
    expect(result.NameQualifier).toMatch(/^[A-Za-z0-9+/]{27}=$/);
    const identity = await new STSClient({
      endpoint: sandbox.url,
      region: "us-east-1",
      credentials: sessionCredentials(result.Credentials!),
    }).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(result.AssumedRoleUser?.Arn);
  });

  it("accepts a response whose whole Response, not the Assertion, is signed", async () => {
    const result = await assume(samlResponse({ roles: [pair(ADMIN_ROLE)], signWhole: "response" }));
    expect(result.AssumedRoleUser?.Arn).toContain("assumed-role/Admin/");
  });

  it("rejects a response signed by a key that is not in the provider's metadata", async () => {
    const error = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], signingKey: OTHER_KEY })));
    expect(error).toMatchObject({
      name: "InvalidIdentityTokenException",
      message: "Response signature invalid",
      status: 400,
    });
  });

  it("rejects an unsigned response and one altered after signing", async () => {
    expect((await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], signWhole: "none" })))).message).toBe(
      "Response signature invalid",
    );
    const tampered = samlResponseXml({ roles: [pair(READONLY_ROLE)], sessionName: "alice" }).replace(
      "ReadOnly",
      "Admin",
    );
    const error = await failure(assume(Buffer.from(tampered).toString("base64")));
    expect(error.message).toBe("Response signature invalid");
  });

  it("ignores a forged assertion wrapped around the signed one", async () => {
    const genuine = samlResponseXml({ roles: [pair(READONLY_ROLE)] });
    const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(genuine)![0];
    const forged = signedAssertion
      .replace(/ID="[^"]+"/, 'ID="_evil"')
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace("ReadOnly", "Admin");
    const wrapped = genuine.replace(signedAssertion, forged + signedAssertion);
    const error = await failure(assume(Buffer.from(wrapped).toString("base64")));
    expect(error.message).toBe("Response signature invalid");
  });

  it("refuses when the Recipient is not an audience the role's trust policy names", async () => {
    const error = await failure(
      assume(samlResponse({ roles: [pair(ADMIN_ROLE)], recipient: "https://evil.example/saml" })),
    );
    expect(error).toMatchObject({
      name: "AccessDenied",
      message: "Not authorized to perform sts:AssumeRoleWithSAML",
      status: 403,
    });
  });

  it("refuses an expired response and one not yet valid", async () => {
    const expired = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], notOnOrAfter: -120 })));
    expect(expired).toMatchObject({ name: "ExpiredTokenException", status: 400 });
    // AWS documents no clock skew: an assertion that expired 20 seconds ago is expired.
    const justExpired = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], notOnOrAfter: -20 })));
    expect(justExpired).toMatchObject({ name: "ExpiredTokenException", status: 400 });
    const stale = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], issuedAgo: 600, notOnOrAfter: 600 })));
    expect(stale).toMatchObject({
      name: "ExpiredTokenException",
      message: "Token must be redeemed within 5 minutes of issuance",
    });
    const early = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], notBefore: 600 })));
    expect(early.name).toBe("InvalidIdentityTokenException");
  });

  it("refuses a role that the assertion does not carry", async () => {
    const error = await failure(assume(samlResponse({ roles: [pair(READONLY_ROLE)] }), ADMIN_ROLE));
    expect(error).toMatchObject({ name: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithSAML" });
  });

  it("enforces AWS's RoleSessionName rules", async () => {
    const missing = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], sessionName: null })));
    expect(missing).toMatchObject({
      name: "InvalidIdentityTokenException",
      message: "RoleSessionName is required in AuthnResponse",
    });
    for (const bad of ["Alice Smith", "a", "x".repeat(65)]) {
      const error = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], sessionName: bad })));
      expect(error.message).toBe("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
    }
  });

  it("rejects an assertion over 100,000 characters before looking inside", async () => {
    const error = await failure(assume("A".repeat(100_001)));
    expect(error).toMatchObject({ name: "ValidationError", status: 400 });
    expect(error.message).toContain("Member must have length less than or equal to 100000");
  });

  it("answers InvalidIdentityToken for input that is not a base64 SAML Response", async () => {
    for (const junk of [
      "!!!not-base64!!!",
      Buffer.from("<unclosed").toString("base64"),
      Buffer.from("<a/>").toString("base64"),
    ]) {
      expect((await failure(assume(junk))).name).toBe("InvalidIdentityTokenException");
    }
    const doctype = Buffer.from(
      '<!DOCTYPE x [<!ENTITY e "boom">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
    );
    expect((await failure(assume(doctype.toString("base64")))).message).toBe("Invalid SAML response");
  });

  it("checks the Issuer against the provider's entityID", async () => {
    const error = await failure(
      assume(samlResponse({ roles: [pair(ADMIN_ROLE)], issuer: "https://someone-else.test" })),
    );
    expect(error.name).toBe("InvalidIdentityTokenException");
    expect(error.message).toContain("Issuer");
  });

  it("requires exactly one SubjectConfirmation and the AWS audience", async () => {
    const two = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], subjectConfirmations: 2 })));
    expect(two.name).toBe("InvalidIdentityTokenException");
    const audience = await failure(
      assume(samlResponse({ roles: [pair(ADMIN_ROLE)], audience: "https://app.example" })),
    );
    expect(audience.message).toBe("Response does not contain the required audience.");
  });

  it("names an unknown provider", async () => {
    const error = await failure(
      assume(samlResponse({ roles: [pair(ADMIN_ROLE)] }), ADMIN_ROLE, {
        PrincipalArn: `arn:aws:iam::${MANAGEMENT}:saml-provider/nope`,
      }),
    );
    expect(error).toMatchObject({ name: "InvalidIdentityTokenException", message: "Specified provider doesn't exist" });
  });

  it("caps DurationSeconds at the role's MaxSessionDuration and lets SessionDuration shorten it", async () => {
    const tagged = `arn:aws:iam::${MANAGEMENT}:role/Tagged`;
    const tooLong = await failure(assume(samlResponse({ roles: [pair(tagged)] }), tagged, { DurationSeconds: 7201 }));
    expect(tooLong).toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    const shortened = await assume(samlResponse({ roles: [pair(ADMIN_ROLE)], sessionDuration: "900" }));
    const seconds = (shortened.Credentials!.Expiration!.getTime() - Date.now()) / 1000;
    expect(seconds).toBeLessThanOrEqual(900);
    expect(seconds).toBeGreaterThan(800);
  });

  it("carries SourceIdentity and PrincipalTag values when the trust policy allows them", async () => {
    const tagged = `arn:aws:iam::${MANAGEMENT}:role/Tagged`;
    const result = await assume(
      samlResponse({ roles: [pair(tagged)], sourceIdentity: "alice", tags: { Department: "Finance" } }),
      tagged,
    );
    expect(result.SourceIdentity).toBe("alice");
    const session = sandbox.state().sessions.find((s) => s.accessKeyId === result.Credentials?.AccessKeyId);
    expect(session?.tags).toEqual({ Department: "Finance" });
    // Admin's trust policy does not allow sts:TagSession, so the same attributes are refused there.
    const refused = await failure(assume(samlResponse({ roles: [pair(ADMIN_ROLE)], tags: { Department: "Finance" } })));
    expect(refused.name).toBe("AccessDenied");
    const badSource = await failure(
      assume(samlResponse({ roles: [pair(tagged)], sourceIdentity: "aws:root" }), tagged),
    );
    expect(badSource.message).toBe('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
  });
});

describe("AssumeRoleWithSAML against signature wrapping", () => {
  it("never grants a role from a forged assertion that reuses the signed one's ID", async () => {
    const genuine = samlResponseXml({ roles: [pair(READONLY_ROLE)] });
    const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(genuine)![0];
    // The forged copy keeps the ID and the Signature; the genuine assertion hides in Extensions.
    const forged = signed.replace("ReadOnly", "Admin");
    const wrapped = genuine.replace(signed, `<samlp:Extensions>${signed}</samlp:Extensions>${forged}`);
    const error = await failure(assume(Buffer.from(wrapped).toString("base64"), ADMIN_ROLE));
    expect(["Response signature invalid", "Not authorized to perform sts:AssumeRoleWithSAML"]).toContain(error.message);
  });
});
