import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Bearer secrets (API tokens, session ids) are 256-bit random strings; only their SHA-256 is stored.
 * A slow hash is unnecessary for high-entropy secrets and would put argon2 on every request.
 */
export const TOKEN_PREFIX = "rbt_";

export function newSecret(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

export const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
