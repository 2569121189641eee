import { readFileSync } from "node:fs";
import { SignedXml } from "xml-crypto";

const keys = new URL("../keys/", import.meta.url);
export const IDP_KEY = readFileSync(new URL("idp.key.pem", keys), "utf8");
export const IDP_CERT = readFileSync(new URL("idp.cert.pem", keys), "utf8");
export const OTHER_KEY = readFileSync(new URL("other.key.pem", keys), "utf8");
export const ISSUER = "https://idp.rolebridge.test/saml/metadata";
export const AWS_ACS = "https://signin.aws.amazon.com/saml";

const certBody = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

export function idpMetadata(cert = IDP_CERT, entityId = ISSUER): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entityId}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">` +
    `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(cert)}</ds:X509Certificate>` +
    `</ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" ` +
    `Location="https://idp.rolebridge.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

export interface AssertionOptions {
  roles: string[];
  sessionName?: string | null;
  issuer?: string;
  recipient?: string;
  audience?: string;
  /** Seconds relative to now. */
  notBefore?: number;
  notOnOrAfter?: number;
  issuedAgo?: number;
  sessionDuration?: string;
  sourceIdentity?: string;
  tags?: Record<string, string>;
  subjectConfirmations?: number;
  signingKey?: string;
  signWhole?: "assertion" | "response" | "none";
  nameId?: string;
}

const iso = (offsetSeconds: number) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

function attribute(name: string, values: string[]): string {
  return (
    `<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/${name}">` +
    values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join("") +
    "</saml:Attribute>"
  );
}

/** A SAML Response shaped like the ones IdPs send AWS, signed with xml-crypto (RSA-SHA256, exclusive c14n). */
export function samlResponseXml(options: AssertionOptions): string {
  const issuer = options.issuer ?? ISSUER;
  const recipient = options.recipient ?? AWS_ACS;
  const confirmation =
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData ` +
    `NotOnOrAfter="${iso(options.notOnOrAfter ?? 300)}" Recipient="${esc(recipient)}"/></saml:SubjectConfirmation>`;
  const attributes = [
    attribute("Role", options.roles),
    options.sessionName === null ? "" : attribute("RoleSessionName", [options.sessionName ?? "alice@example.com"]),
    options.sessionDuration ? attribute("SessionDuration", [options.sessionDuration]) : "",
    options.sourceIdentity ? attribute("SourceIdentity", [options.sourceIdentity]) : "",
    ...Object.entries(options.tags ?? {}).map(([k, v]) => attribute(`PrincipalTag:${k}`, [v])),
  ].join("");
  const issued = iso(-(options.issuedAgo ?? 0));
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a${Date.now()}" Version="2.0" IssueInstant="${issued}">` +
    `<saml:Issuer>${esc(issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(options.nameId ?? "alice@example.com")}</saml:NameID>` +
    confirmation.repeat(options.subjectConfirmations ?? 1) +
    `</saml:Subject><saml:Conditions NotBefore="${iso(options.notBefore ?? -5)}" NotOnOrAfter="${iso(options.notOnOrAfter ?? 300)}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(options.audience ?? "urn:amazon:webservices")}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${issued}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>` +
    `urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion>`;
  const response =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r${Date.now()}" Version="2.0" IssueInstant="${issued}" Destination="${esc(recipient)}">` +
    `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${esc(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion}</samlp:Response>`;
  const mode = options.signWhole ?? "assertion";
  if (mode === "none") return response;
  const target = mode === "assertion" ? "Assertion" : "Response";
  const signer = new SignedXml({
    privateKey: options.signingKey ?? IDP_KEY,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  signer.addReference({
    xpath: `//*[local-name(.)='${target}']`,
    transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  });
  signer.computeSignature(response, {
    location: { reference: `//*[local-name(.)='${target}']/*[local-name(.)='Issuer']`, action: "after" },
  });
  return signer.getSignedXml();
}

export const samlResponse = (options: AssertionOptions) => Buffer.from(samlResponseXml(options)).toString("base64");
