import { createHash, randomBytes } from "node:crypto";

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function encode(bytes: Buffer, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ID_ALPHABET[(bytes[i] ?? 0) % ID_ALPHABET.length];
  return out;
}

/**
 * IAM unique ids: a four-letter type prefix (AROA role, AIDA user, ANPA policy, AKIA key, ASIA session key)
 * and 17 characters. Seeded ids derive from the ARN so a fixture always yields the same ids.
 */
export function iamId(prefix: string, seed?: string): string {
  const bytes = seed === undefined ? randomBytes(32) : createHash("sha256").update(seed).digest();
  return prefix + encode(bytes, prefix === "AKIA" || prefix === "ASIA" ? 16 : 17);
}

export function secretKey(): string {
  return randomBytes(30).toString("base64");
}

export function sessionToken(): string {
  // Real tokens are long opaque blobs; the length matters to clients that size buffers or headers.
  return `IQoJb3JpZ2luX2VjE${randomBytes(240).toString("base64")}`;
}
