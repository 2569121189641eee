import { deflateRawSync, inflateRawSync } from "node:zlib";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { DomainError } from "../errors.js";

/** What rolebridge reads from a service provider's AuthnRequest (SP-initiated sign-in). */
export interface AuthnRequest {
  id: string;
  issuer: string;
  /** The ACS the SP asks for, when it names one; it must be the app's. */
  acsUrl: string | null;
}

const PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
/** An AuthnRequest is a few hundred bytes; anything near this is not one. */
const MAX_XML_BYTES = 64 * 1024;
const XML_ID = /^[A-Za-z_][\w.-]{0,255}$/;

const invalid = (reason: string) =>
  new DomainError("saml_request_invalid", `the SAML request is invalid: ${reason}`, { reason });

/**
 * Decodes a `SAMLRequest`: base64 of raw DEFLATE for the HTTP-Redirect binding, plain base64 for HTTP-POST.
 * Refuses a document type declaration (no entities are ever expanded) and anything but one AuthnRequest.
 */
export function decodeAuthnRequest(
  encoded: string,
  binding: "redirect" | "post",
): { xml: string; request: AuthnRequest } {
  const compact = encoded.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length > (MAX_XML_BYTES * 4) / 3) {
    throw invalid("SAMLRequest is not base64");
  }
  const bytes = Buffer.from(compact, "base64");
  let xml: string;
  try {
    xml = (binding === "redirect" ? inflateRawSync(bytes, { maxOutputLength: MAX_XML_BYTES }) : bytes).toString("utf8");
  } catch {
    throw invalid("SAMLRequest is not DEFLATE-compressed as the HTTP-Redirect binding requires");
  }
  return { xml, request: parseAuthnRequest(xml) };
}

export function parseAuthnRequest(xml: string): AuthnRequest {
  if (/<!DOCTYPE/i.test(xml)) throw invalid("a document type declaration is not allowed");
  let root: Element | null = null;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") throw new Error(message);
      },
    }).parseFromString(xml, "text/xml");
    root = doc.documentElement;
  } catch {
    throw invalid("it is not well-formed XML");
  }
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== "AuthnRequest") {
    throw invalid("the document is not a samlp:AuthnRequest");
  }
  const id = root.getAttribute("ID") ?? "";
  if (!XML_ID.test(id)) throw invalid("its ID is missing or not an XML ID");
  if (root.getAttribute("Version") !== "2.0") throw invalid('its Version is not "2.0"');
  const issuers = Array.from(root.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === ASSERTION_NS && (n as Element).localName === "Issuer",
  );
  const issuer = issuers[0]?.textContent?.trim() ?? "";
  if (issuers.length !== 1 || !issuer) throw invalid("it must name exactly one Issuer");
  const acsUrl = root.getAttribute("AssertionConsumerServiceURL");
  return { id, issuer, acsUrl: acsUrl || null };
}

/** Base64 of raw DEFLATE: how an AuthnRequest travels in a URL (the HTTP-Redirect binding). */
export function encodeForRedirect(xml: string): string {
  return deflateRawSync(Buffer.from(xml, "utf8")).toString("base64");
}
