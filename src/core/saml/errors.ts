import { DomainError } from "../errors.js";

/** Typed SAML errors: a stable `code` and structured `details` for the HTTP layer. */
export abstract class SamlError extends DomainError {}

/**
 * The base64 Response would exceed what AWS accepts: `AssumeRoleWithSAML` documents 4–100,000
 * characters for `SAMLAssertion`, and console sign-in is known to fail near 128 KB.
 */
export class SamlResponseTooLargeError extends SamlError {
  constructor(
    readonly roleCount: number,
    readonly base64Length: number,
    readonly limit: number,
  ) {
    super(
      "saml_response_too_large",
      `SAML response for ${roleCount} roles would be ${base64Length} base64 characters; AWS accepts at most ${limit}. ` +
        "Reduce the roles granted to this user (e.g. split them across apps).",
      { roleCount, base64Length, limit },
    );
  }
}

/** A value to put in the Response breaks an AWS rule (RoleSessionName charset, tag limits...). */
export class SamlAttributeError extends SamlError {
  constructor(
    readonly attribute: string,
    readonly reason: string,
  ) {
    super("saml_attribute_invalid", `SAML attribute ${attribute} is invalid: ${reason}`, { attribute, reason });
  }
}

/** A value contains characters XML 1.0 cannot carry at all (control characters, lone surrogates). */
export class SamlInvalidXmlCharacterError extends SamlError {
  constructor(
    readonly field: string,
    readonly index: number,
    readonly codePoint: number,
  ) {
    super(
      "saml_invalid_xml_character",
      `${field} contains U+${codePoint.toString(16).toUpperCase().padStart(4, "0")} at index ${index}, which XML cannot carry`,
      {
        field,
        index,
        codePoint,
      },
    );
  }
}

/** Options for building a Response or metadata are inconsistent (no roles, bad ACS URL, bad ids). */
export class SamlConfigurationError extends SamlError {
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super("saml_configuration_invalid", `SAML setting ${setting} is invalid: ${reason}`, { setting, reason });
  }
}

/** A key or certificate could not be generated or parsed. */
export class SamlKeyError extends SamlError {
  constructor(reason: string) {
    super("saml_key_invalid", `SAML signing key is invalid: ${reason}`, { reason });
  }
}
