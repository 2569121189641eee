import { SamlConfigurationError } from "./errors.js";
import { certificateBase64 } from "./keys.js";
import { NAME_ID_FORMAT } from "./response.js";
import { DSIG_NS } from "./signature.js";
import { escapeText, userAttribute } from "./xml.js";

export const SAML_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata";
export const BINDING = {
  post: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
  redirect: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
} as const;

export interface IdpMetadataOptions {
  /** Must equal the Issuer of every Response. */
  entityId: string;
  /**
   * Signing certificates (PEM). During rotation publish current and next: AWS trusts every
   * `KeyDescriptor use="signing"`, so switching the signing key then breaks no sign-in.
   */
  signingCertificates: readonly string[];
  /** Where sign-in starts; the caller decides the routes. At least one is required. */
  singleSignOnService: { post?: string; redirect?: string };
  nameIdFormats?: readonly string[];
  validUntil?: Date;
}

const DEFAULT_NAME_ID_FORMATS = [
  NAME_ID_FORMAT.persistent,
  NAME_ID_FORMAT.emailAddress,
  NAME_ID_FORMAT.transient,
  NAME_ID_FORMAT.unspecified,
];

function httpsUrl(setting: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SamlConfigurationError(setting, `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new SamlConfigurationError(setting, `"${value}" must be an http(s) URL`);
  }
  return userAttribute(setting, value);
}

/**
 * IdP metadata (`md:EntityDescriptor`) in the shape IAM's CreateSAMLProvider accepts: an
 * IDPSSODescriptor with signing KeyDescriptors, NameID formats and SingleSignOnService endpoints.
 */
export function buildIdpMetadata(options: IdpMetadataOptions): string {
  if (options.signingCertificates.length === 0) {
    throw new SamlConfigurationError("signingCertificates", "at least one signing certificate is required");
  }
  const { post, redirect } = options.singleSignOnService;
  if (!post && !redirect)
    throw new SamlConfigurationError("singleSignOnService", "give an HTTP-POST or HTTP-Redirect URL");
  const validUntil = options.validUntil ? ` validUntil="${options.validUntil.toISOString()}"` : "";

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${SAML_METADATA_NS}" entityID="${userAttribute("entityId", options.entityId)}"${validUntil}>`,
    `  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">`,
  ];
  for (const pem of new Set(options.signingCertificates)) {
    lines.push(
      '    <md:KeyDescriptor use="signing">',
      `      <ds:KeyInfo xmlns:ds="${DSIG_NS}"><ds:X509Data><ds:X509Certificate>${certificateBase64(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
      "    </md:KeyDescriptor>",
    );
  }
  for (const format of options.nameIdFormats ?? DEFAULT_NAME_ID_FORMATS) {
    lines.push(`    <md:NameIDFormat>${escapeText(format)}</md:NameIDFormat>`);
  }
  if (post) {
    lines.push(
      `    <md:SingleSignOnService Binding="${BINDING.post}" Location="${httpsUrl("singleSignOnService.post", post)}"/>`,
    );
  }
  if (redirect) {
    lines.push(
      `    <md:SingleSignOnService Binding="${BINDING.redirect}" Location="${httpsUrl("singleSignOnService.redirect", redirect)}"/>`,
    );
  }
  lines.push("  </md:IDPSSODescriptor>", "</md:EntityDescriptor>", "");
  return lines.join("\n");
}
