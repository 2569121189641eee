import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, X509Certificate } from "node:crypto";
import { SamlKeyError } from "./errors.js";

/*
 * XML-DSig enveloped signatures built as strings. Our XML is emitted already in exclusive-c14n
 * form, so "canonicalize the referenced element minus its Signature" is simply the element text
 * before the Signature is inserted, and SignedInfo's canonical form is its text plus the `ds`
 * namespace declaration it inherits from Signature in the document.
 */

export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
export const ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
export const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
export const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";

/** Produces the base64 signature of canonical SignedInfo bytes, and the certificate to embed. */
export interface XmlSigner {
  /** DER certificate, base64, no line breaks: the content of `ds:X509Certificate`. */
  readonly certificateBase64: string;
  signBase64(canonicalSignedInfo: string): string;
}

/** Parses the PEMs once; keep the result for the key's lifetime (sign-in calls it per response). */
export function createXmlSigner(privateKeyPem: string, certificatePem: string): XmlSigner {
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(privateKeyPem);
    certificate = new X509Certificate(certificatePem);
  } catch (error) {
    throw new SamlKeyError(error instanceof Error ? error.message : String(error));
  }
  if (privateKey.asymmetricKeyType !== "rsa") {
    throw new SamlKeyError(`expected an RSA key, got ${privateKey.asymmetricKeyType ?? "unknown"}`);
  }
  const publicFromPrivate = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicFromCert = certificate.publicKey.export({ format: "der", type: "spki" });
  if (!publicFromPrivate.equals(publicFromCert))
    throw new SamlKeyError("the certificate does not match the private key");
  return {
    certificateBase64: certificate.raw.toString("base64"),
    signBase64: (canonicalSignedInfo) =>
      sign("sha256", Buffer.from(canonicalSignedInfo, "utf8"), privateKey).toString("base64"),
  };
}

export function sha256Base64(canonical: string): string {
  return createHash("sha256").update(canonical, "utf8").digest("base64");
}

function signedInfoBody(referenceId: string, digestBase64: string): string {
  return (
    `<ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>` +
    `<ds:Reference URI="#${referenceId}"><ds:Transforms>` +
    `<ds:Transform Algorithm="${ENVELOPED_SIGNATURE}"></ds:Transform>` +
    `<ds:Transform Algorithm="${EXC_C14N}"></ds:Transform>` +
    `</ds:Transforms><ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod>` +
    `<ds:DigestValue>${digestBase64}</ds:DigestValue></ds:Reference>`
  );
}

/**
 * The `ds:Signature` element for an element whose canonical text (without this signature) is
 * `canonicalElement` and whose ID is `referenceId` (an NCName, so it needs no escaping).
 */
export function envelopedSignature(signer: XmlSigner, referenceId: string, canonicalElement: string): string {
  const body = signedInfoBody(referenceId, sha256Base64(canonicalElement));
  const signatureValue = signer.signBase64(`<ds:SignedInfo xmlns:ds="${DSIG_NS}">${body}</ds:SignedInfo>`);
  return (
    `<ds:Signature xmlns:ds="${DSIG_NS}"><ds:SignedInfo>${body}</ds:SignedInfo>` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${signer.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    "</ds:Signature>"
  );
}
