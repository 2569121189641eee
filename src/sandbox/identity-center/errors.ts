import { randomUUID } from "node:crypto";

export const SCIM_CONTENT_TYPE = "application/scim+json";
const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export const UNPARSABLE = "Request is unparsable, syntactically incorrect, or violates schema.";

export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string = UNPARSABLE) => new ScimError(400, detail);
export const notFound = (detail: string) => new ScimError(404, detail);
export const conflict = (detail: string) => new ScimError(409, detail);

/**
 * A create beyond the directory quota. AWS's SCIM guide names no error for it; the sandbox answers 400 in AWS's
 * error body, as its Identity Store API refuses an over-quota create with a 400-class ServiceQuotaExceeded.
 */
export const quotaExceeded = (kind: "users" | "groups", limit: number) =>
  new ScimError(400, `Quota exceeded: the identity store already holds its maximum of ${limit} ${kind}.`);

/** "2022-01-26 16:50:48.135": AWS's timeStamp is UTC without the ISO "T" and "Z". */
const awsTimeStamp = (now: Date) => now.toISOString().replace("T", " ").replace("Z", "");

/**
 * AWS's error body: both the misspelt `schema` (what older responses carried) and `schemas`, `status` as a
 * string, and no `scimType`, which clients written for RFC 7644 must not depend on.
 */
export function scimErrorBody(status: number, detail: string, now = new Date()) {
  return {
    schema: [ERROR_SCHEMA],
    schemas: [ERROR_SCHEMA],
    detail,
    status: String(status),
    exceptionRequestId: randomUUID(),
    timeStamp: awsTimeStamp(now),
  };
}
