import type { AwsError } from "./errors.js";

/**
 * JSON 1.1 (Organizations) names its errors differently from the Query protocol; the authentication layer
 * speaks Query codes, translated here.
 */
const JSON_CODES: Record<string, string> = {
  InvalidClientTokenId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  IncompleteSignature: "IncompleteSignatureException",
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  ExpiredToken: "ExpiredTokenException",
  AccessDenied: "AccessDeniedException",
  InternalFailure: "InternalFailure",
};

const JSON_STATUS: Record<string, number> = {
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  ExpiredTokenException: 400,
  AccessDeniedException: 400,
};

export function jsonError(error: AwsError): { status: number; body: string } {
  const type = JSON_CODES[error.code] ?? error.code;
  return {
    status: JSON_STATUS[type] ?? error.status,
    body: JSON.stringify({ __type: type, Message: error.message, ...error.details }),
  };
}

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
