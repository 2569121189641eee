import { CodedError } from "../errors.js";

/**
 * Typed errors of role resolution settings. Each carries a stable `code` and structured `details`
 * so the HTTP layer can map it to `{code, message, details}` without parsing messages.
 */
export abstract class RolemapError extends CodedError {}

/** The Group Filter does not parse or uses syntax the linear-time engine refuses. */
export class GroupFilterSyntaxError extends RolemapError {
  readonly code = "GROUP_FILTER_SYNTAX";
  constructor(
    readonly source: string,
    /** 0-based offset into the filter as the admin wrote it. */
    readonly position: number,
    readonly reason: string,
  ) {
    super(`Group Filter is invalid at position ${position}: ${reason}`, { source, position, reason });
  }
}

/** The Group Filter compiles but lacks a capture resolution needs (`role`, `accountid`). */
export class GroupFilterMissingCaptureError extends RolemapError {
  readonly code = "GROUP_FILTER_MISSING_CAPTURE";
  constructor(
    readonly source: string,
    readonly missing: readonly string[],
  ) {
    super(
      `Group Filter must capture ${missing.map((m) => `(?{{${m}}}...)`).join(" and ")}; ` +
        `it defines no capture named ${missing.map((m) => `"${m}"`).join(" or ")}`,
      { source, missing },
    );
  }
}

/** The Role Value Pattern is malformed or cannot render a valid (provider ARN, role ARN) pair. */
export class RoleValuePatternError extends RolemapError {
  readonly code = "ROLE_VALUE_PATTERN_INVALID";
  constructor(
    readonly pattern: string,
    readonly position: number | null,
    readonly reason: string,
  ) {
    super(
      position === null
        ? `Role Value Pattern is invalid: ${reason}`
        : `Role Value Pattern is invalid at position ${position}: ${reason}`,
      { pattern, position, reason },
    );
  }
}

/** The App Filter names a group source that does not exist or is written wrongly. */
export class AppFilterError extends RolemapError {
  readonly code = "APP_FILTER_INVALID";
  constructor(
    readonly filter: string,
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`App Filter entry "${entry}" is invalid: ${reason}`, { filter, entry, reason });
  }
}

/** An ARN (role or SAML provider) is not valid for the app's partition. */
export class InvalidArnError extends RolemapError {
  readonly code = "INVALID_ARN";
  constructor(
    readonly arn: string,
    readonly reason: string,
  ) {
    super(`Invalid ARN "${arn}": ${reason}`, { arn, reason });
  }
}

/** A sign-on setting other than the filters and pattern is invalid (provider names, partition...). */
export class SignOnSettingsError extends RolemapError {
  readonly code = "SIGN_ON_SETTINGS_INVALID";
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Sign-on setting ${field} is invalid: ${reason}`, { field, reason });
  }
}
