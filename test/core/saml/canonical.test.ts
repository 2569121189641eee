import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ExclusiveCanonicalization } from "xml-crypto";
import { buildSignedResponse, type SamlResponse } from "../../../src/core/saml/index.js";
import { baseOptions, parseXml, testKey } from "./helpers.js";

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";

type XmlNode = Parameters<ExclusiveCanonicalization["process"]>[0];
type XmlElement = ReturnType<ReturnType<typeof parseXml>["createElement"]>;

function c14n(node: unknown): string {
  return new ExclusiveCanonicalization().process(node as XmlNode, {}).toString();
}

function directChild(parent: XmlElement, namespace: string, localName: string): XmlElement | null {
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    const element = child as XmlElement;
    if (element.localName === localName && element.namespaceURI === namespace) return element;
  }
  return null;
}

/** Exclusive c14n of `element` after the enveloped-signature transform, as a verifier computes it. */
function digestAsVerifierComputes(element: XmlElement): string {
  const copy = element.cloneNode(true) as XmlElement;
  const signature = directChild(copy, DSIG, "Signature");
  if (signature) copy.removeChild(signature);
  return createHash("sha256").update(c14n(copy)).digest("base64");
}

const HOSTILE = {
  nameId: "a&b<c>d\re\tf\ng\"h'i ]]> <!-- x --> ünï 😀",
  sessionIndex: "s\"1<&>\t\n\r'2",
  issuer: "https://idp.example.com/?a=1&b=<2>",
  acsUrl: 'https://signin.aws.amazon.com/saml?x="1"&y=2',
  inResponseTo: '_req<&">\t',
};

describe.each([
  ["plain values", {}],
  ["hostile values", HOSTILE],
])("hand-built XML is its own exclusive c14n (%s)", (_, overrides) => {
  let response: SamlResponse;
  let doc: ReturnType<typeof parseXml>;

  beforeAll(async () => {
    const key = await testKey();
    response = buildSignedResponse(key.signer, baseOptions({ ...overrides, principalTags: { Team: "Blue Ünit" } }));
    doc = parseXml(response.xml);
  });

  it("the whole Response equals xml-crypto's exclusive c14n of it", () => {
    expect(c14n(doc.documentElement)).toBe(response.xml);
  });

  it("the Assertion equals xml-crypto's exclusive c14n of the Assertion node", () => {
    const assertion = doc.getElementsByTagNameNS(ASSERTION_NS, "Assertion").item(0)!;
    const start = response.xml.indexOf("<saml:Assertion ");
    const text = response.xml.slice(start, response.xml.indexOf("</saml:Assertion>") + "</saml:Assertion>".length);
    expect(c14n(assertion)).toBe(text);
  });

  it("each DigestValue equals the digest of xml-crypto's c14n after the enveloped transform", () => {
    const response_ = doc.documentElement!;
    const assertion = doc.getElementsByTagNameNS(ASSERTION_NS, "Assertion").item(0)!;
    for (const element of [response_, assertion]) {
      const signature = directChild(element as XmlElement, DSIG, "Signature")!;
      const digest = signature.getElementsByTagNameNS(DSIG, "DigestValue").item(0)!.textContent;
      expect(digestAsVerifierComputes(element as XmlElement)).toBe(digest);
    }
  });

  it("each SignedInfo's c14n is what was signed (verifies with the certificate)", async () => {
    const { createVerify } = await import("node:crypto");
    const key = await testKey();
    const signatures = doc.getElementsByTagNameNS(DSIG, "Signature");
    expect(signatures.length).toBe(2);
    for (let i = 0; i < signatures.length; i += 1) {
      const signature = signatures.item(i)!;
      const signedInfo = signature.getElementsByTagNameNS(DSIG, "SignedInfo").item(0)!;
      const value = signature.getElementsByTagNameNS(DSIG, "SignatureValue").item(0)!.textContent ?? "";
      const verifier = createVerify("RSA-SHA256").update(c14n(signedInfo));
      expect(verifier.verify(key.material.certificatePem, value, "base64")).toBe(true);
    }
  });

  it("round-trips the user values through an XML parser unchanged", () => {
    const nameId = doc.getElementsByTagNameNS(ASSERTION_NS, "NameID").item(0)!;
    expect(nameId.textContent).toBe(baseOptions(overrides).nameId);
    const authn = doc.getElementsByTagNameNS(ASSERTION_NS, "AuthnStatement").item(0)!;
    expect(authn.getAttribute("SessionIndex")).toBe(
      (overrides as { sessionIndex?: string }).sessionIndex ?? response.assertionId,
    );
    expect(doc.documentElement!.getAttribute("Destination")).toBe(
      (overrides as { acsUrl?: string }).acsUrl ?? "https://signin.aws.amazon.com/saml",
    );
  });
});
