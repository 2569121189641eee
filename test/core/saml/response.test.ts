import { beforeAll, describe, expect, it } from "vitest";
import {
  AWS_ATTRIBUTE,
  buildSignedResponse,
  defaultSamlId,
  NAME_ID_FORMAT,
  PARTITIONS,
  regionalAcsUrl,
  SamlAttributeError,
  SamlConfigurationError,
  SamlInvalidXmlCharacterError,
  type SamlResponseOptions,
} from "../../../src/core/saml/index.js";
import { baseOptions, parseXml, ROLE_A, ROLE_B, type TestKey, testKey } from "./helpers.js";

const NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const FIXED_NOW = new Date("2026-03-01T12:00:00.750Z");

function deterministic(overrides: Partial<SamlResponseOptions> = {}): Partial<SamlResponseOptions> {
  let counter = 0;
  return { now: () => FIXED_NOW, generateId: () => `_id${++counter}`, ...overrides };
}

function elements(xml: string, localName: string) {
  const list = parseXml(xml).getElementsByTagNameNS(NS, localName);
  return Array.from({ length: list.length }, (_, i) => list.item(i)!);
}

function attributeValues(xml: string, name: string): string[] {
  const attribute = elements(xml, "Attribute").find((a) => a.getAttribute("Name") === name);
  if (!attribute) return [];
  const values = attribute.getElementsByTagNameNS(NS, "AttributeValue");
  return Array.from({ length: values.length }, (_, i) => values.item(i)!.textContent ?? "");
}

describe("buildSignedResponse", () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await testKey();
  });

  it("is deterministic with an injected clock and id generator", () => {
    const first = buildSignedResponse(key.signer, baseOptions(deterministic()));
    const second = buildSignedResponse(key.signer, baseOptions(deterministic()));
    expect(first.xml).toBe(second.xml);
    expect(first).toMatchObject({ responseId: "_id1", assertionId: "_id2", roleCount: 2 });
    expect(first.base64).toBe(Buffer.from(first.xml).toString("base64"));
  });

  it("generates unique 160-bit XML IDs by default", () => {
    const ids = Array.from({ length: 1000 }, () => defaultSamlId());
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^_[0-9a-f]{40}$/);
    const { responseId, assertionId } = buildSignedResponse(key.signer, baseOptions());
    expect(responseId).not.toBe(assertionId);
  });

  it("carries what AWS requires, with the timing derived from the clock", () => {
    const { xml } = buildSignedResponse(
      key.signer,
      baseOptions(deterministic({ lifetimeSeconds: 120, clockSkewSeconds: 30, sessionIndex: "sess-1" })),
    );
    const doc = parseXml(xml);
    const root = doc.documentElement!;
    expect(root.getAttribute("Destination")).toBe("https://signin.aws.amazon.com/saml");
    expect(root.getAttribute("IssueInstant")).toBe("2026-03-01T12:00:00Z");
    expect(elements(xml, "Issuer").map((e) => e.textContent)).toEqual([
      "https://idp.example.com/saml/metadata",
      "https://idp.example.com/saml/metadata",
    ]);
    const status = doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:protocol", "StatusCode").item(0);
    expect(status?.getAttribute("Value")).toBe("urn:oasis:names:tc:SAML:2.0:status:Success");
    const confirmations = elements(xml, "SubjectConfirmation");
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.getAttribute("Method")).toBe("urn:oasis:names:tc:SAML:2.0:cm:bearer");
    const data = elements(xml, "SubjectConfirmationData")[0]!;
    expect(data.getAttribute("Recipient")).toBe("https://signin.aws.amazon.com/saml");
    expect(data.getAttribute("NotOnOrAfter")).toBe("2026-03-01T12:02:00Z");
    const conditions = elements(xml, "Conditions")[0]!;
    expect(conditions.getAttribute("NotBefore")).toBe("2026-03-01T11:59:30Z");
    expect(conditions.getAttribute("NotOnOrAfter")).toBe("2026-03-01T12:02:00Z");
    expect(elements(xml, "Audience").map((e) => e.textContent)).toEqual(["urn:amazon:webservices"]);
    const authn = elements(xml, "AuthnStatement")[0]!;
    expect(authn.getAttribute("SessionIndex")).toBe("sess-1");
    expect(elements(xml, "AuthnContextClassRef")[0]?.textContent).toBe(
      "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
    );
    expect(elements(xml, "NameID")[0]?.getAttribute("Format")).toBe(NAME_ID_FORMAT.emailAddress);
    expect(attributeValues(xml, AWS_ATTRIBUTE.roleSessionName)).toEqual(["alice@example.com"]);
    expect(attributeValues(xml, AWS_ATTRIBUTE.sessionDuration)).toEqual(["3600"]);
  });

  it.each([
    ["aws-us-gov", "https://signin.amazonaws-us-gov.com/saml", "urn:amazon:webservices:govcloud"],
    ["aws-cn", "https://signin.amazonaws.cn/saml", "urn:amazon:webservices:cn-north-1"],
  ] as const)("uses %s's ACS and audience", (partition, acs, audience) => {
    expect(PARTITIONS[partition]).toMatchObject({ acsUrl: acs, audience, arnPrefix: `arn:${partition}:` });
    const { xml } = buildSignedResponse(key.signer, baseOptions({ partition }));
    expect(elements(xml, "SubjectConfirmationData")[0]?.getAttribute("Recipient")).toBe(acs);
    expect(elements(xml, "Audience")[0]?.textContent).toBe(audience);
  });

  it("uses a regional ACS for Destination and Recipient", () => {
    const acsUrl = regionalAcsUrl("eu-west-1");
    expect(acsUrl).toBe("https://eu-west-1.signin.aws.amazon.com/saml");
    expect(() => regionalAcsUrl("us-gov-west-1")).toThrow(SamlConfigurationError);
    expect(() => regionalAcsUrl("evil.com/x")).toThrow(SamlConfigurationError);
    const { xml } = buildSignedResponse(key.signer, baseOptions({ acsUrl }));
    expect(parseXml(xml).documentElement?.getAttribute("Destination")).toBe(acsUrl);
    expect(elements(xml, "SubjectConfirmationData")[0]?.getAttribute("Recipient")).toBe(acsUrl);
  });

  it("emits one Role value per distinct pair, in first-seen order, in either order of ARNs", () => {
    const roles = [ROLE_B, ROLE_A, { ...ROLE_B }];
    const { xml, roleCount } = buildSignedResponse(key.signer, baseOptions({ roles }));
    expect(roleCount).toBe(2);
    expect(attributeValues(xml, AWS_ATTRIBUTE.role)).toEqual([
      `${ROLE_B.roleArn},${ROLE_B.providerArn}`,
      `${ROLE_A.roleArn},${ROLE_A.providerArn}`,
    ]);
    const okta = buildSignedResponse(key.signer, baseOptions({ roles, roleValueOrder: "provider,role" }));
    expect(attributeValues(okta.xml, AWS_ATTRIBUTE.role)[0]).toBe(`${ROLE_B.providerArn},${ROLE_B.roleArn}`);
  });

  it("adds SourceIdentity, session tags and transitive tag keys", () => {
    const { xml } = buildSignedResponse(
      key.signer,
      baseOptions({
        sourceIdentity: "alice",
        principalTags: { Project: "Blue", CostCenter: "42" },
        transitiveTagKeys: ["Project"],
      }),
    );
    expect(attributeValues(xml, AWS_ATTRIBUTE.sourceIdentity)).toEqual(["alice"]);
    expect(attributeValues(xml, `${AWS_ATTRIBUTE.principalTagPrefix}Project`)).toEqual(["Blue"]);
    expect(attributeValues(xml, `${AWS_ATTRIBUTE.principalTagPrefix}CostCenter`)).toEqual(["42"]);
    expect(attributeValues(xml, AWS_ATTRIBUTE.transitiveTagKeys)).toEqual(["Project"]);
  });

  it.each([
    [{ roles: [] }, "Role"],
    [{ roleSessionName: "alice smith" }, "RoleSessionName"],
    [{ roleSessionName: "a" }, "RoleSessionName"],
    [{ sessionDurationSeconds: 899 }, "SessionDuration"],
    [{ sessionDurationSeconds: 43201 }, "SessionDuration"],
    [{ sourceIdentity: "aws:x" }, "SourceIdentity"],
    [{ principalTags: { "bad<key": "v" } }, "PrincipalTag:bad<key"],
    [{ principalTags: { k: "x".repeat(257) } }, "PrincipalTag:k"],
    [{ principalTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) }, "PrincipalTag"],
    [{ transitiveTagKeys: ["Nope"] }, "TransitiveTagKeys"],
  ] as Array<[Partial<SamlResponseOptions>, string]>)("refuses %j (attribute %s)", (overrides, attribute) => {
    try {
      buildSignedResponse(key.signer, baseOptions(overrides));
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(SamlAttributeError);
      expect((error as SamlAttributeError).code).toBe("saml_attribute_invalid");
      expect((error as SamlAttributeError).attribute).toBe(attribute);
    }
  });

  it("refuses characters XML cannot carry instead of emitting broken XML", () => {
    // U+0085, U+2028 and U+2029 are XML characters, but parsers (xmldom) rewrite them into LF after signing.
    const rewritten = ["nel\u0085", "line\u2028sep", "para\u2029sep"];
    for (const nameId of ["bad\u0000", "bad\u001b", "lone\ud800surrogate", "bad\uffff", ...rewritten]) {
      expect(() => buildSignedResponse(key.signer, baseOptions({ nameId }))).toThrow(SamlInvalidXmlCharacterError);
    }
    const error = (() => {
      try {
        buildSignedResponse(key.signer, baseOptions({ nameId: "ab\u0007" }));
      } catch (e) {
        return e as SamlInvalidXmlCharacterError;
      }
    })();
    expect(error).toMatchObject({ code: "saml_invalid_xml_character", field: "nameId", index: 2, codePoint: 7 });
  });

  it("refuses an unsigned response and ids that are not XML IDs", () => {
    expect(() => buildSignedResponse(key.signer, baseOptions({ signAssertion: false, signResponse: false }))).toThrow(
      SamlConfigurationError,
    );
    expect(() => buildSignedResponse(key.signer, baseOptions({ generateId: () => "1bad" }))).toThrow(/NCName/);
    expect(() => buildSignedResponse(key.signer, baseOptions({ lifetimeSeconds: 0 }))).toThrow(SamlConfigurationError);
    expect(() => buildSignedResponse(key.signer, baseOptions({ clockSkewSeconds: Number.NaN }))).toThrow(
      /clockSkewSeconds/,
    );
    expect(() => buildSignedResponse(key.signer, baseOptions({ now: () => new Date("x") }))).toThrow(/invalid date/);
  });
});
