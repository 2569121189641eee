/**
 * The one error model. Every failure rolebridge reports is a `DomainError` whose `code` is a key of
 * `ERROR_CODES`; that table alone decides the HTTP status (admin API, portal), the CLI exit code and the
 * default message. Shells never invent statuses: they look the code up here. Core code never knows about HTTP.
 */

/** CLI exit codes, one per kind of failure a script may want to tell apart (documented in docs/cli.md). */
export const EXIT = {
  /** Internal errors and anything not classified below. */
  failure: 1,
  /** The command line or a value it carries is wrong; the same command will fail again. */
  usage: 2,
  notFound: 3,
  /** The current state forbids it (already exists, wrong status, stale version). */
  conflict: 4,
  /** A remote system (AWS, a SCIM target, LDAP) failed or refused us. */
  remote: 5,
  /** Not signed in, not allowed, or locked out / throttled. */
  denied: 6,
} as const;

export interface ErrorSpec {
  /** HTTP status of the admin API and the portal. */
  readonly status: number;
  /** Process exit code of the CLI. */
  readonly exit: number;
  /** Said when the thrower has nothing more precise. */
  readonly message: string;
}

const spec = (status: number, exit: number, message: string): ErrorSpec => ({ status, exit, message });

/**
 * Every code, once. `locked_out` is 429 rather than WebDAV's 423: it tells generic HTTP clients and proxies
 * "back off and retry later", and the HTTP shell sends Retry-After with it. The typed errors of the pure
 * modules (rolemap, saml) have their own codes here too, so no shell ever reports them as internal.
 */
export const ERROR_CODES = {
  validation_failed: spec(400, EXIT.usage, "the input is invalid"),
  invalid_json: spec(400, EXIT.usage, "the request body is not valid JSON"),
  invalid_request: spec(400, EXIT.usage, "the request is malformed"),
  /** The CLI was called wrongly (flags that go together, a missing input). */
  usage: spec(400, EXIT.usage, "the command is used wrongly; see --help"),
  unauthorized: spec(401, EXIT.denied, "authentication required"),
  forbidden: spec(403, EXIT.denied, "not allowed"),
  not_found: spec(404, EXIT.notFound, "no such object"),
  conflict: spec(409, EXIT.conflict, "the current state does not allow this"),
  illegal_transition: spec(409, EXIT.conflict, "the object's status does not allow this"),
  version_mismatch: spec(412, EXIT.conflict, "the object changed since it was read"),
  payload_too_large: spec(413, EXIT.usage, "the request is too large"),
  unsupported_media_type: spec(415, EXIT.usage, "unsupported media type"),
  locked_out: spec(429, EXIT.denied, "too many failed sign-ins; try again later"),
  rate_limited: spec(429, EXIT.denied, "too many requests; try again later"),
  internal: spec(500, EXIT.failure, "internal error"),
  /** Our own database does not answer (restarting, failing over): the request may be retried shortly. */
  store_unavailable: spec(503, EXIT.failure, "the database is unavailable; try again shortly"),
  /** A remote system (AWS, a SCIM target, LDAP) failed or refused us: never reported as our own auth error. */
  remote_failed: spec(502, EXIT.remote, "a remote system failed"),

  // Role resolution settings (core/rolemap): always the admin's input.
  group_filter_syntax: spec(400, EXIT.usage, "the Group Filter is invalid"),
  group_filter_missing_capture: spec(400, EXIT.usage, "the Group Filter lacks a capture"),
  group_filter_too_costly: spec(400, EXIT.usage, "the Group Filter is too costly to run at every sign-in"),
  role_value_pattern_invalid: spec(400, EXIT.usage, "the Role Value Pattern is invalid"),
  app_filter_invalid: spec(400, EXIT.usage, "the App Filter is invalid"),
  invalid_arn: spec(400, EXIT.usage, "the ARN is invalid"),
  sign_on_settings_invalid: spec(400, EXIT.usage, "a sign-on setting is invalid"),

  // Building a SAML Response (core/saml): the request was fine, the data it needs cannot be sent to AWS.
  saml_response_too_large: spec(422, EXIT.conflict, "the SAML response would be too large for AWS"),
  saml_attribute_invalid: spec(422, EXIT.conflict, "a SAML attribute value breaks an AWS rule"),
  saml_invalid_xml_character: spec(422, EXIT.conflict, "a value holds a character XML cannot carry"),
  saml_configuration_invalid: spec(422, EXIT.conflict, "the app's SAML settings are invalid"),
  saml_key_invalid: spec(500, EXIT.failure, "the SAML signing key is invalid"),
  /** A service provider's AuthnRequest (SP-initiated sign-in) is malformed or not meant for this app. */
  saml_request_invalid: spec(400, EXIT.usage, "the SAML request is invalid"),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === "string" && Object.hasOwn(ERROR_CODES, code);

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].message,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target === DomainError ? "DomainError" : new.target.name;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** The one wire shape of every failure: the admin API's body and the CLI's `--json` stderr. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const notFound = (kind: string, id: string) =>
  new DomainError("not_found", `${kind} ${JSON.stringify(id)} does not exist`, { kind, id });

export const validationFailed = (message: string, errors: FieldError[]) =>
  new DomainError("validation_failed", message, { errors });

/** Where a remote failure came from, and what the remote system said: kept in `details`. */
export interface RemoteFailure {
  /** e.g. "scim", "aws". */
  system: string;
  /** The remote's HTTP status, when it answered at all. */
  remoteStatus: number | null;
  /** The remote's own error code (AWS `AccessDenied`, SCIM `scimType`), when it sent one. */
  remoteCode?: string | null;
  /** The remote's own words. */
  remoteMessage: string | null;
  [more: string]: unknown;
}

/**
 * A remote system failed or refused us: 502 with the remote's status and message in `details`. A SCIM
 * target refusing its token is the target's problem to report, never our own 401/403.
 */
export const remoteFailed = (message: string, remote: RemoteFailure) =>
  new DomainError("remote_failed", message, remote);

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. "/profile/email". */
  path: string;
  message: string;
}
