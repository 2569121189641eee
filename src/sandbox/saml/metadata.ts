import { X509Certificate } from "node:crypto";
import { descendants, NS, parseXml, textOf } from "./xml.js";

export interface IdpMetadata {
  entityId: string;
  /** PEM certificates the IdP signs with. */
  signingCertificates: string[];
  /** Where an SP sends an AuthnRequest with the HTTP-Redirect binding, when the IdP advertises it. */
  ssoRedirectUrl: string | undefined;
}

export function toPem(base64: string): string {
  const body = base64.replace(/\s+/g, "");
  return `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads an IdP's SAML metadata the way IAM does on CreateSAMLProvider: one EntityDescriptor with an entityID
 * and an IDPSSODescriptor carrying at least one usable signing certificate (RSA keys of 1024 bits or more).
 * Returns a reason string when the document is unusable.
 */
export function parseIdpMetadata(text: string): IdpMetadata | string {
  const doc = parseXml(text);
  if (!doc) return "Could not parse metadata";
  const entity = descendants(doc, NS.metadata, "EntityDescriptor")[0];
  const entityId = entity?.getAttribute("entityID") ?? "";
  const idp = entity ? descendants(entity, NS.metadata, "IDPSSODescriptor")[0] : undefined;
  if (!entity || !entityId || !idp) return "Could not parse metadata";
  const certificates: string[] = [];
  for (const key of descendants(idp, NS.metadata, "KeyDescriptor")) {
    const use = key.getAttribute("use");
    if (use && use !== "signing") continue;
    for (const cert of descendants(key, NS.dsig, "X509Certificate")) {
      const pem = toPem(textOf(cert));
      try {
        const parsed = new X509Certificate(pem);
        const bits = parsed.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
        if (parsed.publicKey.asymmetricKeyType === "rsa" && bits < 1024) return "Key size must be at least 1024 bits";
        certificates.push(pem);
      } catch {
        return "Could not parse metadata";
      }
    }
  }
  if (certificates.length === 0) return "Could not parse metadata";
  const redirect = descendants(idp, NS.metadata, "SingleSignOnService").find(
    (e) => e.getAttribute("Binding") === "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
  );
  return {
    entityId,
    signingCertificates: certificates,
    ssoRedirectUrl: redirect?.getAttribute("Location") ?? undefined,
  };
}
