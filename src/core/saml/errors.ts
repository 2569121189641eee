import { CodedError } from "../errors.js";

/** Typed SAML errors: a stable `code` and structured `details` for the HTTP layer. */
export abstract class SamlError extends CodedError {}

/**
 * The base64 Response would exceed what AWS accepts: `AssumeRoleWithSAML` documents 4–100,000
 * characters for `SAMLAssertion`, and console sign-in is known to fail near 128 KB.
 */
export class SamlResponseTooLargeError extends SamlError {
  readonly code = "SAML_RESPONSE_TOO_LARGE";
  constructor(
    readonly roleCount: number,
    readonly base64Length: number,
    readonly limit: number,
  ) {
    super(
      `SAML response for ${roleCount} roles would be ${base64Length} base64 characters; AWS accepts at most ${limit}. ` +
        "Reduce the roles granted to this user (e.g. split them across apps).",
      { roleCount, base64Length, limit },
    );
  }
}

/** A value to put in the Response breaks an AWS rule (RoleSessionName charset, tag limits...). */
export class SamlAttributeError extends SamlError {
  readonly code = "SAML_ATTRIBUTE_INVALID";
  constructor(
    readonly attribute: string,
    readonly reason: string,
  ) {
    super(`SAML attribute ${attribute} is invalid: ${reason}`, { attribute, reason });
  }
}

/** A value contains characters XML 1.0 cannot carry at all (control characters, lone surrogates). */
export class SamlInvalidXmlCharacterError extends SamlError {
  readonly code = "SAML_INVALID_XML_CHARACTER";
  constructor(
    readonly field: string,
    readonly index: number,
    readonly codePoint: number,
  ) {
    super(
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
  readonly code = "SAML_CONFIGURATION_INVALID";
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`SAML setting ${setting} is invalid: ${reason}`, { setting, reason });
  }
}

/** A key or certificate could not be generated or parsed. */
export class SamlKeyError extends SamlError {
  readonly code = "SAML_KEY_INVALID";
  constructor(reason: string) {
    super(`SAML signing key is invalid: ${reason}`, { reason });
  }
}
