import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { AwsError } from "../protocol/errors.js";

const MAX_DOCUMENT_CHARS = { identity: 6144, trust: 2048, managed: 6144 } as const;
export type DocumentKind = keyof typeof MAX_DOCUMENT_CHARS;

const malformed = (message: string) => new AwsError("MalformedPolicyDocument", message, 400);

/**
 * Parses and validates a policy document the way IAM does before storing it: JSON first, then the grammar
 * (via @cloud-copilot/iam-policy), then the size quota. Returns the parsed object for evaluation.
 */
export function checkPolicyDocument(text: string, kind: DocumentKind): object {
  if (text.replace(/\s/g, "").length > MAX_DOCUMENT_CHARS[kind]) {
    throw new AwsError(
      "LimitExceeded",
      `Cannot exceed quota for ${kind === "trust" ? "ACLSizePerRole" : "PolicySize"}: ${MAX_DOCUMENT_CHARS[kind]}`,
      409,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed("Syntax errors in policy.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw malformed("Syntax errors in policy.");
  const problems = kind === "trust" ? validateTrustPolicy(parsed) : validateIdentityPolicy(parsed);
  const first = problems[0];
  if (first) throw malformed(`${first.message} (${first.path})`);
  return parsed;
}

/** IAM returns policy documents URL-encoded (RFC 3986), exactly as the SDKs expect to decode them. */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
