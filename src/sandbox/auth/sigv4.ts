import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsError } from "../protocol/errors.js";

export interface SignedRequest {
  method: string;
  /** Path and query string exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface SigningScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export interface SigningSecret {
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

const MAX_SKEW_MS = 15 * 60_000;
const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

export const isSigned = (headers: IncomingHttpHeaders) => typeof headers.authorization === "string";

/** Reads the credential scope; routing needs its service before the signature can be checked. */
export function readScope(headers: IncomingHttpHeaders): SigningScope {
  const header = headers.authorization ?? "";
  const match = AUTH_PATTERN.exec(header.trim());
  if (!match) {
    throw new AwsError(
      "IncompleteSignature",
      `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header.split(" ")[0] ?? ""}`,
      400,
    );
  }
  const [, accessKeyId = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = match;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(";"), signature };
}

const amzDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** AWS's clock check comes before the signature check and answers SignatureDoesNotMatch with a dated reason. */
function checkClock(headers: IncomingHttpHeaders, now: Date): Date {
  const raw = String(headers["x-amz-date"] ?? "");
  const signedAt = parseAmzDate(raw);
  if (!signedAt) {
    throw new AwsError(
      "IncompleteSignature",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      400,
    );
  }
  if (signedAt.getTime() < now.getTime() - MAX_SKEW_MS) {
    const limit = amzDate(new Date(now.getTime() - MAX_SKEW_MS));
    throw new AwsError(
      "SignatureDoesNotMatch",
      `Signature expired: ${raw} is now earlier than ${limit} (${amzDate(now)} - 15 min.)`,
      403,
    );
  }
  if (signedAt.getTime() > now.getTime() + MAX_SKEW_MS) {
    const limit = amzDate(new Date(now.getTime() + MAX_SKEW_MS));
    throw new AwsError(
      "SignatureDoesNotMatch",
      `Signature not yet current: ${raw} is still later than ${limit} (${amzDate(now)} + 15 min.)`,
      403,
    );
  }
  return signedAt;
}

export const signatureMismatch = () =>
  new AwsError(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    403,
  );

/**
 * Recomputes the SigV4 signature with @smithy/signature-v4 over exactly the headers the client listed as signed,
 * using the stored secret, and compares in constant time.
 */
export async function verifySignature(
  request: SignedRequest,
  scope: SigningScope,
  secret: SigningSecret,
  now = new Date(),
): Promise<void> {
  const signedAt = checkClock(request.headers, now);
  if (amzDate(signedAt).slice(0, 8) !== scope.date) throw signatureMismatch();
  const headers: Record<string, string> = {};
  for (const name of scope.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) throw signatureMismatch();
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const url = new URL(request.url, "http://sandbox.invalid");
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const prior = query[key];
    query[key] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  const signsToken = scope.signedHeaders.includes("x-amz-security-token");
  const signer = new SignatureV4({
    service: scope.service,
    region: scope.region,
    applyChecksum: false,
    sha256: Sha256,
    credentials: {
      accessKeyId: scope.accessKeyId,
      secretAccessKey: secret.secretAccessKey,
      ...(signsToken && secret.sessionToken ? { sessionToken: secret.sessionToken } : {}),
    },
  });
  // A client-declared payload hash is trusted by the signer, so it must first be proven to match the body.
  const declaredHash = headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== "UNSIGNED-PAYLOAD") {
    const hash = new Sha256();
    hash.update(request.body);
    if (Buffer.from(await hash.digest()).toString("hex") !== declaredHash) throw signatureMismatch();
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: String(headers.host ?? ""),
      path: url.pathname,
      query,
      headers,
      body: request.body,
    },
    { signingDate: signedAt, signableHeaders: new Set(scope.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(scope.signature, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw signatureMismatch();
}
