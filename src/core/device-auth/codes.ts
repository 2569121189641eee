import { randomInt } from "node:crypto";
import { newSecret, sha256Hex } from "../crypto/tokens.js";

/**
 * RFC 8628 §6.1's recommendation: 8 characters from 20 consonants (no vowels, so no words; no look-alikes),
 * shown as two groups of four (BCDF-GHJK). Case, spaces and dashes do not matter when typed back. ~34.5 bits, and the code lives
 * minutes and can only be entered by a signed-in person.
 */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LENGTH = 8;

export function newUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The canonical form of a typed code, or null when it cannot be one of ours. */
export function normalizeUserCode(typed: string): string | null {
  const code = typed.toUpperCase().replace(/[\s-]/g, "");
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return code;
}

export const displayUserCode = (normalized: string) => `${normalized.slice(0, 4)}-${normalized.slice(4)}`;

export const hashUserCode = (normalized: string) => sha256Hex(`user_code:${normalized}`);

/** Device codes, access and refresh tokens: 256-bit bearer secrets; the prefix tells a reader which is which. */
export const DEVICE_CODE_PREFIX = "rbd_";
export const ACCESS_TOKEN_PREFIX = "rbu_";
export const REFRESH_TOKEN_PREFIX = "rbr_";

export const newDeviceCode = () => newSecret(DEVICE_CODE_PREFIX);
export const newAccessToken = () => newSecret(ACCESS_TOKEN_PREFIX);
export const newRefreshToken = () => newSecret(REFRESH_TOKEN_PREFIX);
