import { SamlInvalidXmlCharacterError } from "./errors.js";

/*
 * Escaping as Canonical XML renders it, so that text we emit is already in exclusive-c14n form:
 * text escapes & < > and CR; attribute values escape & < " and TAB, LF, CR.
 */

const TEXT_SPECIAL = /[&<>\r]/;
const ATTR_SPECIAL = /[&<"\t\n\r]/;
// Candidates for characters outside XML 1.0's Char production (surrogates are fine in pairs), and the line
// separators U+0085, U+2028, U+2029 that parsers such as xmldom rewrite into LF after the signature was made.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters XML forbids is the point.
const MAYBE_NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0085\u2028\u2029\ufffe\uffff\ud800-\udfff]/;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** @throws SamlInvalidXmlCharacterError when `value` holds a character XML cannot represent */
export function assertXmlChars(field: string, value: string): void {
  if (!MAYBE_NOT_XML_CHAR.test(value)) return;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (isHighSurrogate(code) && isLowSurrogate(value.charCodeAt(i + 1))) {
      i += 1;
      continue;
    }
    const forbidden =
      isHighSurrogate(code) ||
      isLowSurrogate(code) ||
      code === 0xfffe ||
      code === 0x85 ||
      code === 0x2028 ||
      code === 0x2029 ||
      code === 0xffff ||
      (code < 0x20 && code !== 0x9 && code !== 0xa && code !== 0xd);
    if (forbidden) throw new SamlInvalidXmlCharacterError(field, i, code);
  }
}

export function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

export function escapeAttribute(value: string): string {
  if (!ATTR_SPECIAL.test(value)) return value;
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;");
}

/** Text content of a field that comes from users or admins: checked, then escaped. */
export function userText(field: string, value: string): string {
  assertXmlChars(field, value);
  return escapeText(value);
}

export function userAttribute(field: string, value: string): string {
  assertXmlChars(field, value);
  return escapeAttribute(value);
}

/** SAML timestamps: UTC, second precision (AWS and SP libraries all accept it). */
export function samlInstant(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
