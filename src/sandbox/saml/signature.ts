import type { Element } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import { childElements, NS, parseXml } from "./xml.js";

/**
 * Verifies the enveloped signatures of a SAML Response with xml-crypto against the provider's certificates and
 * returns the assertion *as signed*: parsed from the canonical bytes xml-crypto verified, never from the posted
 * document, so content outside the signature (wrapping attacks) cannot reach the caller.
 */
export function signedAssertion(xml: string, response: Element, certificates: string[]): Element | undefined {
  const assertions = childElements(response, NS.assertion, "Assertion");
  if (assertions.length !== 1) return undefined;
  const assertion = assertions[0]!;
  // AWS wants the assertion signed; a signature over the whole Response covers it as well.
  const fromAssertion = verifiedReference(xml, assertion, certificates);
  if (fromAssertion) return onlyElement(fromAssertion, "Assertion");
  const fromResponse = verifiedReference(xml, response, certificates);
  if (!fromResponse) return undefined;
  const signedResponse = onlyElement(fromResponse, "Response", NS.protocol);
  if (!signedResponse) return undefined;
  const inner = childElements(signedResponse, NS.assertion, "Assertion");
  return inner.length === 1 ? inner[0] : undefined;
}

function onlyElement(canonical: string, localName: string, ns: string = NS.assertion): Element | undefined {
  const root = parseXml(canonical)?.documentElement;
  return root && root.namespaceURI === ns && root.localName === localName ? root : undefined;
}

/** The canonical XML of `element`, if a signature that is its direct child validly signs exactly it. */
function verifiedReference(xml: string, element: Element, certificates: string[]): string | undefined {
  const signatures = childElements(element, NS.dsig, "Signature");
  const id = element.getAttribute("ID");
  if (signatures.length !== 1 || !id) return undefined;
  for (const cert of certificates) {
    const verifier = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    try {
      verifier.loadSignature(signatures[0] as unknown as Parameters<SignedXml["loadSignature"]>[0]);
      const references = verifier.getReferences();
      if (references.length !== 1 || references[0]?.uri !== `#${id}`) return undefined;
      if (!verifier.checkSignature(xml)) continue;
      const signed = verifier.getSignedReferences();
      if (signed.length === 1) return signed[0];
    } catch {
      // A malformed or non-matching signature is simply not a valid one for this certificate.
    }
  }
  return undefined;
}
