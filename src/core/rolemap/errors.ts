import { DomainError } from "../errors.js";

/**
 * Typed errors of role resolution settings. Each carries a stable `code` and structured `details`
 * so the HTTP layer can map it to `{code, message, details}` without parsing messages.
 */
export abstract class RolemapError extends DomainError {}

/** The Group Filter does not parse or uses syntax the linear-time engine refuses. */
export class GroupFilterSyntaxError extends RolemapError {
  constructor(
    readonly source: string,
    /** 0-based offset into the filter as the admin wrote it. */
    readonly position: number,
    readonly reason: string,
  ) {
    super("group_filter_syntax", `Group Filter is invalid at position ${position}: ${reason}`, {
      source,
      position,
      reason,
    });
  }
}

/** The Group Filter compiles but lacks a capture resolution needs (`role`, `accountid`). */
export class GroupFilterMissingCaptureError extends RolemapError {
  constructor(
    readonly source: string,
    readonly missing: readonly string[],
  ) {
    super(
      "group_filter_missing_capture",
      `Group Filter must capture ${missing.map((m) => `(?{{${m}}}...)`).join(" and ")}; ` +
        `it defines no capture named ${missing.map((m) => `"${m}"`).join(" or ")}`,
      { source, missing },
    );
  }
}

/**
 * The Group Filter compiles to a program too large to run at every sign-in: matching costs time in
 * proportion to program size × name length, for every group of every person signing in.
 */
export class GroupFilterTooCostlyError extends RolemapError {
  constructor(
    readonly source: string,
    readonly programSize: number,
    readonly limit: number,
  ) {
    super(
      "group_filter_too_costly",
      `Group Filter is too costly: it compiles to ${programSize} instructions, more than the ${limit} allowed, and ` +
        "would run against every group name at every sign-in; use fewer or smaller counted repetitions ({n,m})",
      { source, programSize, limit },
    );
  }
}

/** The Role Value Pattern is malformed or cannot render a valid (provider ARN, role ARN) pair. */
export class RoleValuePatternError extends RolemapError {
  constructor(
    readonly pattern: string,
    readonly position: number | null,
    readonly reason: string,
  ) {
    super(
      "role_value_pattern_invalid",
      position === null
        ? `Role Value Pattern is invalid: ${reason}`
        : `Role Value Pattern is invalid at position ${position}: ${reason}`,
      { pattern, position, reason },
    );
  }
}

/** The App Filter names a group source that does not exist or is written wrongly. */
export class AppFilterError extends RolemapError {
  constructor(
    readonly filter: string,
    readonly entry: string,
    readonly reason: string,
  ) {
    super("app_filter_invalid", `App Filter entry "${entry}" is invalid: ${reason}`, { filter, entry, reason });
  }
}

/** An ARN (role or SAML provider) is not valid for the app's partition. */
export class InvalidArnError extends RolemapError {
  constructor(
    readonly arn: string,
    readonly reason: string,
  ) {
    super("invalid_arn", `Invalid ARN "${arn}": ${reason}`, { arn, reason });
  }
}

/** A sign-on setting other than the filters and pattern is invalid (provider names, partition...). */
export class SignOnSettingsError extends RolemapError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super("sign_on_settings_invalid", `Sign-on setting ${field} is invalid: ${reason}`, { field, reason });
  }
}
