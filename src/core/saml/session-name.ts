import { createHash } from "node:crypto";

/**
 * AWS's RoleSessionName (and SourceIdentity) rule: 2–64 characters of `[A-Za-z0-9_+=,.@-]`.
 * SourceIdentity must also not start with `aws:`, which this charset already excludes (no `:`).
 */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const MAX_LENGTH = 64;
const HASH_LENGTH = 8;
const DISALLOWED_RUN = /[^\w+=,.@-]+/g;
const COMBINING_MARKS = /\p{M}+/gu;
// Letters NFKD does not decompose into ASCII; the rest degrade to "-" and are covered by the hash.
const TRANSLITERATIONS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  Æ: "AE",
  ø: "o",
  Ø: "O",
  œ: "oe",
  Œ: "OE",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  ð: "d",
  þ: "th",
  ı: "i",
};
const TRANSLITERABLE = new RegExp(`[${Object.keys(TRANSLITERATIONS).join("")}]`, "g");

export function isValidSessionName(value: string): boolean {
  return SESSION_NAME_PATTERN.test(value);
}

function shortHash(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex").slice(0, HASH_LENGTH);
}

/**
 * Turns a login or email into a valid RoleSessionName, deterministically. A value that is already
 * valid is kept as is (CloudTrail shows exactly the login). Any lossy step (transliteration,
 * replacement, truncation, padding) appends `-<8 hex of sha256(original)>`, so two different
 * logins that degrade to the same readable text still get different session names.
 */
export function sanitizeRoleSessionName(login: string): string {
  if (isValidSessionName(login)) return login;
  const readable = login
    .normalize("NFKD")
    .replace(COMBINING_MARKS, "")
    .replace(TRANSLITERABLE, (ch) => TRANSLITERATIONS[ch] ?? "-")
    .replace(DISALLOWED_RUN, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  const suffix = `-${shortHash(login)}`;
  const base = readable.slice(0, MAX_LENGTH - suffix.length).replace(/-+$/, "");
  return `${base || "user"}${suffix}`;
}

/** Same rule and guarantees as RoleSessionName; kept separate so callers state which they mean. */
export function sanitizeSourceIdentity(login: string): string {
  return sanitizeRoleSessionName(login);
}
