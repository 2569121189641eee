/**
 * Domain errors carry a stable machine code and structured details; the HTTP and CLI shells
 * map them to status codes and messages. Core code never knows about HTTP.
 */
export type ErrorCode =
  | "validation_failed"
  | "not_found"
  | "conflict"
  | "illegal_transition"
  | "version_mismatch"
  | "unauthorized"
  | "forbidden"
  | "locked_out"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  /** A remote system (AWS, a SCIM target, LDAP) failed or refused us: never reported as our own auth error. */
  | "remote_failed"
  | "internal";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (kind: string, id: string) =>
  new DomainError("not_found", `${kind} ${JSON.stringify(id)} does not exist`, { kind, id });

export const validationFailed = (message: string, errors: FieldError[]) =>
  new DomainError("validation_failed", message, { errors });

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. "/profile/email". */
  path: string;
  message: string;
}

/**
 * Base of the pure modules' typed errors (rolemap, saml): a stable `code` and structured `details`, so a
 * shell can report `{code, message, details}` without parsing messages.
 */
export abstract class CodedError extends Error {
  abstract readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}
