/**
 * Text that must reach a SAML assertion unchanged. XML 1.0 cannot carry C0 controls (other than tab, LF,
 * CR), lone surrogates or U+FFFE/U+FFFF; parsers rewrite CR to LF, and some (xmldom) also turn the C1
 * NEL U+0085 and U+2028/U+2029 into LF — after the signature was computed, so the service provider
 * sees a different value and refuses the signature. Directory values (logins, emails, names, group
 * names) have no use for any of them, so all are refused at the boundary, tab and LF included.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds.
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface UnsafeCharacter {
  index: number;
  codePoint: number;
}

/** The first character of `value` that would not survive XML normalization unchanged, or null. */
export function firstXmlUnsafe(value: string): UnsafeCharacter | null {
  const match = UNSAFE.exec(value);
  return match ? { index: match.index, codePoint: match[0].charCodeAt(0) } : null;
}

export const describeCodePoint = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;

/** A field error message for an unsafe character, or null when the value is safe. */
export function xmlUnsafeMessage(value: string): string | null {
  const found = firstXmlUnsafe(value);
  return found
    ? `must not contain ${describeCodePoint(found.codePoint)} (at index ${found.index}): XML parsers drop or rewrite it, which breaks the SAML signature`
    : null;
}
