import { beforeAll, describe, expect, it } from "vitest";
import {
  buildSignedResponse,
  generateSigningKey,
  PARTITIONS,
  type SamlResponse,
} from "../../../src/core/saml/index.js";
import {
  baseOptions,
  type TestKey,
  testKey,
  verifyWithNodeSaml,
  verifyWithXmlCrypto,
  verifyWithXmlsec1,
} from "./helpers.js";

type Shape = { name: string; signAssertion: boolean; signResponse: boolean };
const SHAPES: Shape[] = [
  { name: "assertion-only signed", signAssertion: true, signResponse: false },
  { name: "response-only signed", signAssertion: false, signResponse: true },
  { name: "response and assertion signed", signAssertion: true, signResponse: true },
];

function reencode(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}

/** Changes one Role value: what an attacker would want. */
function tamperRole(xml: string): string {
  const tampered = xml.replace("role/Admin,", "role/Administrator,");
  expect(tampered).not.toBe(xml);
  return tampered;
}

/** Extends the assertion's validity window in Conditions. */
function tamperNotOnOrAfter(xml: string): string {
  const tampered = xml.replace(
    /(<saml:Conditions NotBefore="[^"]+" NotOnOrAfter=")(\d{4})/,
    (_, head, year) => `${head}${Number(year) + 1}`,
  );
  expect(tampered).not.toBe(xml);
  return tampered;
}

async function xmlsecVerifiesAll(xml: string, key: TestKey, shape: Shape): Promise<boolean> {
  const results = [];
  if (shape.signAssertion) results.push(await verifyWithXmlsec1(xml, key.material.certificatePem, "assertion"));
  if (shape.signResponse) results.push(await verifyWithXmlsec1(xml, key.material.certificatePem, "response"));
  return results.length > 0 && results.every((r) => r.ok);
}

describe.each(SHAPES)("$name", (shape) => {
  let key: TestKey;
  let response: SamlResponse;
  const nodeSamlExpect = { wantAssertionsSigned: shape.signAssertion, wantAuthnResponseSigned: shape.signResponse };

  beforeAll(async () => {
    key = await testKey();
    response = buildSignedResponse(key.signer, baseOptions(shape));
  });

  it("has exactly the expected signatures and verifies with xml-crypto", () => {
    const result = verifyWithXmlCrypto(response.xml, key.material.certificatePem);
    expect(result).toEqual({ valid: true, count: Number(shape.signAssertion) + Number(shape.signResponse) });
  });

  it("verifies with node-saml configured as AWS", async () => {
    const { profile } = await verifyWithNodeSaml(response.base64, key.material.certificatePem, nodeSamlExpect);
    expect(profile?.issuer).toBe("https://idp.example.com/saml/metadata");
    expect(profile?.nameID).toBe("alice@example.com");
    expect(profile?.["https://aws.amazon.com/SAML/Attributes/Role"]).toEqual([
      "arn:aws:iam::111111111111:role/Admin,arn:aws:iam::111111111111:saml-provider/rolebridge",
      "arn:aws:iam::222222222222:role/team/Read.Only@x,arn:aws:iam::222222222222:saml-provider/corp-idp",
    ]);
    expect(profile?.["https://aws.amazon.com/SAML/Attributes/RoleSessionName"]).toBe("alice@example.com");
  });

  it("verifies with xmlsec1", async () => {
    expect(await xmlsecVerifiesAll(response.xml, key, shape)).toBe(true);
  });

  it.each([
    ["a changed Role value", tamperRole],
    ["a changed NotOnOrAfter", tamperNotOnOrAfter],
  ])("is rejected by every verifier after %s", async (_, tamper) => {
    const tampered = tamper(response.xml);
    expect(verifyWithXmlCrypto(tampered, key.material.certificatePem).valid).toBe(false);
    await expect(verifyWithNodeSaml(reencode(tampered), key.material.certificatePem, nodeSamlExpect)).rejects.toThrow();
    expect(await xmlsecVerifiesAll(tampered, key, shape)).toBe(false);
  });

  it("is rejected by every verifier when checked against another key's certificate", async () => {
    const other = await generateSigningKey({ commonName: "someone else" });
    expect(verifyWithXmlCrypto(response.xml, other.certificatePem).valid).toBe(false);
    await expect(verifyWithNodeSaml(response.base64, other.certificatePem, nodeSamlExpect)).rejects.toThrow();
    const otherKey = { ...key, material: other };
    expect(await xmlsecVerifiesAll(response.xml, otherKey, shape)).toBe(false);
  });
});

describe("node-saml as AWS", () => {
  it.each(["aws-us-gov", "aws-cn"] as const)(
    "verifies a %s response against that partition's audience",
    async (partition) => {
      const key = await testKey();
      const sp = { audience: PARTITIONS[partition].audience, acsUrl: PARTITIONS[partition].acsUrl };
      const both = { wantAssertionsSigned: true, wantAuthnResponseSigned: true };
      const response = buildSignedResponse(key.signer, baseOptions({ partition }));
      await expect(verifyWithNodeSaml(response.base64, key.material.certificatePem, both, sp)).resolves.toBeDefined();
      // The commercial audience is refused: the check is real.
      await expect(verifyWithNodeSaml(response.base64, key.material.certificatePem, both)).rejects.toThrow();
    },
  );

  it("rejects an assertion-only response when AWS-like config also wants the response signed", async () => {
    const key = await testKey();
    const response = buildSignedResponse(key.signer, baseOptions({ signResponse: false }));
    await expect(
      verifyWithNodeSaml(response.base64, key.material.certificatePem, {
        wantAssertionsSigned: true,
        wantAuthnResponseSigned: true,
      }),
    ).rejects.toThrow();
  });

  it("verifies hostile user fields intact", async () => {
    const key = await testKey();
    const hostile = 'Ev"il <&> --> ]]> \t\r\n ünï 😀';
    const response = buildSignedResponse(
      key.signer,
      baseOptions({ nameId: hostile, principalTags: { Department: "Zürich Büro 2" } }),
    );
    expect(verifyWithXmlCrypto(response.xml, key.material.certificatePem).valid).toBe(true);
    const { profile } = await verifyWithNodeSaml(response.base64, key.material.certificatePem, {
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
    });
    expect(profile?.nameID).toBe(hostile);
    expect(profile?.["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"]).toBe("Zürich Büro 2");
    expect(await verifyWithXmlsec1(response.xml, key.material.certificatePem, "assertion")).toMatchObject({ ok: true });
  });
});
