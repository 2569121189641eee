import { DomainError, type RemoteFailure } from "../errors.js";

/**
 * How the engine should react to a failed request:
 * - `retryable`: throttling, 5xx, network errors and timeouts — try again later;
 * - `auth`: the token is wrong or revoked — every request will fail until an admin acts;
 * - `permanent`: the request itself is wrong (400, 404, 409...) — retrying cannot help.
 */
export type ScimErrorClass = "retryable" | "auth" | "permanent";

export interface ScimErrorBody {
  detail: string | null;
  /** RFC 7644 and AWS send the status as a string; kept as received. */
  status: string | null;
  scimType: string | null;
  requestId: string | null;
}

/**
 * A SCIM target failed or refused a request. Whatever the target answered (even 401), it is the target's
 * failure, so the code is always `remote_failed` (502) with the target's status and words in `details`:
 * an admin must never read a refused SCIM token as their own session being refused.
 */
export class ScimError extends DomainError {
  constructor(
    readonly errorClass: ScimErrorClass,
    readonly httpStatus: number | null,
    readonly body: ScimErrorBody,
    message: string,
    readonly attempts = 1,
  ) {
    const remote: RemoteFailure = {
      system: "scim",
      remoteStatus: httpStatus,
      remoteCode: body.scimType,
      remoteMessage: body.detail,
      errorClass,
      requestId: body.requestId,
      attempts,
    };
    super("remote_failed", message, remote);
    this.name = "ScimError";
  }
}

export function classifyStatus(status: number): ScimErrorClass {
  if (status === 401 || status === 403) return "auth";
  // 408 is a server-side timeout of our request: as safe to repeat as a network timeout.
  if (status === 429 || status === 408 || status >= 500) return "retryable";
  return "permanent";
}

const stringOrNull = (value: unknown): string | null =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : null;

/**
 * Reads RFC 7644 error bodies and AWS's variant (status as a string, no scimType, an
 * `exceptionRequestId`, older responses with only the misspelt `schema` key). Anything else
 * (an HTML page from a proxy) still yields a usable, empty body.
 */
export function parseErrorBody(text: string): ScimErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { detail: text.trim().slice(0, 500) || null, status: null, scimType: null, requestId: null };
  }
  const body = (json && typeof json === "object" ? json : {}) as Record<string, unknown>;
  return {
    detail: stringOrNull(body.detail) ?? stringOrNull(body.message),
    status: stringOrNull(body.status),
    scimType: stringOrNull(body.scimType),
    requestId: stringOrNull(body.exceptionRequestId),
  };
}

/** Parses Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
