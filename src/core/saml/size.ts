import type { RolePairValue } from "./attributes.js";
import { AWS_MAX_SAML_RESPONSE_BASE64, buildSignedResponse, type SamlResponseOptions } from "./response.js";
import type { XmlSigner } from "./signature.js";

export interface SizeEstimateOptions extends Partial<Omit<SamlResponseOptions, "roles">> {
  /** Default 2048; decides the SignatureValue length. */
  modulusLength?: number;
  /** Length of the embedded certificate's base64 DER; default that of a typical 2048-bit self-signed cert. */
  certificateBase64Length?: number;
  /** Typical role name length when role pairs are synthesised; default 32. */
  roleNameLength?: number;
  /** Typical SAML provider name length; default 16. */
  providerNameLength?: number;
}

const TYPICAL_CERT_BASE64_LENGTH = 1_032;

function placeholderSigner(modulusLength: number, certificateLength: number): XmlSigner {
  const signatureLength = Math.ceil(modulusLength / 8 / 3) * 4;
  return { certificateBase64: "A".repeat(certificateLength), signBase64: () => "A".repeat(signatureLength) };
}

function syntheticRoles(count: number, options: SizeEstimateOptions): RolePairValue[] {
  const partition = options.partition ?? "aws";
  const roleName = "R".repeat(options.roleNameLength ?? 32);
  const providerName = "P".repeat(options.providerNameLength ?? 16);
  return Array.from({ length: count }, (_, i) => {
    const account = String(100_000_000_000 + i);
    return {
      roleArn: `arn:${partition}:iam::${account}:role/${roleName}`,
      providerArn: `arn:${partition}:iam::${account}:saml-provider/${providerName}`,
    };
  });
}

/**
 * Exact base64 length the Response would have for `roleCount` synthetic roles (or for the given
 * roles), built with a placeholder signer so no RSA work is done. Lints use it to list users at risk.
 */
export function estimateResponseBase64Length(
  roleCount: number,
  options: SizeEstimateOptions = {},
  roles: readonly RolePairValue[] = syntheticRoles(roleCount, options),
): number {
  const signer = placeholderSigner(
    options.modulusLength ?? 2048,
    options.certificateBase64Length ?? TYPICAL_CERT_BASE64_LENGTH,
  );
  const response = buildSignedResponse(signer, {
    issuer: "https://rolebridge.example.com/saml/metadata",
    partition: "aws",
    nameId: "user@example.com",
    roleSessionName: "user@example.com",
    sessionDurationSeconds: 3600,
    ...options,
    roles,
    maxBase64Length: Number.POSITIVE_INFINITY,
  });
  return response.base64.length;
}

/** The largest role count whose Response stays within AWS's limit, for the given typical sizes. */
export function maxRolesWithinLimit(options: SizeEstimateOptions = {}, limit = AWS_MAX_SAML_RESPONSE_BASE64): number {
  const base = estimateResponseBase64Length(1, options);
  const perRole = (estimateResponseBase64Length(101, options) - base) / 100;
  let count = Math.max(1, Math.floor((limit - base) / perRole) + 1);
  while (count > 1 && estimateResponseBase64Length(count, options) > limit) count -= 1;
  while (estimateResponseBase64Length(count + 1, options) <= limit) count += 1;
  return count;
}

export interface SizeRisk {
  userId: string;
  roleCount: number;
  base64Length: number;
  /** base64Length ÷ AWS's limit; ≥ 1 means sign-in fails today. */
  ratio: number;
}

/**
 * Users whose Response would be at least `threshold` (default 90 %) of AWS's limit, largest first:
 * the lint an admin runs before granting more roles. Exact sizes, no RSA work.
 */
export function usersAtSizeRisk(
  users: Iterable<{ userId: string; roles: readonly RolePairValue[] }>,
  options: SizeEstimateOptions = {},
  threshold = 0.9,
  limit = AWS_MAX_SAML_RESPONSE_BASE64,
): SizeRisk[] {
  const risks: SizeRisk[] = [];
  for (const { userId, roles } of users) {
    const base64Length = estimateResponseBase64Length(roles.length, options, roles);
    if (base64Length >= threshold * limit) {
      risks.push({ userId, roleCount: roles.length, base64Length, ratio: base64Length / limit });
    }
  }
  return risks.sort((a, b) => b.base64Length - a.base64Length);
}
