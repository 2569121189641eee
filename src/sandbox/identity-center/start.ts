import { randomBytes } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { parseIdpMetadata } from "../saml/metadata.js";
import type { IdentityCenterInstance } from "./model.js";
import { realAcsUrl, spEntityId } from "./signin.js";

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");

/**
 * The access portal URL (`https://<d-…>.awsapps.com/start`) for a person without a session: like AWS, send
 * them to the external IdP with an AuthnRequest (HTTP-Redirect binding) naming the instance as Issuer and
 * its ACS. Returns the IdP URL to redirect to, or a reason the flow cannot start.
 */
export function startSignIn(
  instance: Readonly<IdentityCenterInstance>,
  now: Date,
): { url: string } | { reason: string } {
  if (!instance.samlMetadata) return { reason: "No identity provider is configured for this instance" };
  const metadata = parseIdpMetadata(instance.samlMetadata);
  if (typeof metadata === "string") return { reason: "The configured IdP metadata is unusable" };
  if (!metadata.ssoRedirectUrl) return { reason: "The IdP metadata has no HTTP-Redirect SingleSignOnService" };
  const xml =
    `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_${randomBytes(16).toString("hex")}" Version="2.0" IssueInstant="${now.toISOString()}" ` +
    `Destination="${escapeAttr(metadata.ssoRedirectUrl)}" AssertionConsumerServiceURL="${escapeAttr(realAcsUrl(instance))}" ` +
    `ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
    `<saml:Issuer>${escapeAttr(spEntityId(instance))}</saml:Issuer></samlp:AuthnRequest>`;
  const url = new URL(metadata.ssoRedirectUrl);
  url.searchParams.set("SAMLRequest", deflateRawSync(Buffer.from(xml, "utf8")).toString("base64"));
  return { url: url.toString() };
}
