/**
 * Where a person goes after signing in. Only a path of our own origin is kept; anything else — another
 * origin, a protocol-relative `//host`, and every spelling browsers "repair" into one (tabs and newlines they
 * strip, backslashes they read as slashes, Unicode spaces) — becomes "/".
 */

/**
 * Characters refused anywhere in `next`: C0 and C1 controls, DEL, backslash, and every Unicode space or
 * invisible format character. Browsers strip or rewrite these before resolving a Location, which is how
 * `/<TAB>/evil.example` turns into `//evil.example`.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const REFUSED = /[\u0000-\u0020\u007f-\u00a0\\\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]/u;

export function safeNext(raw: string | undefined, origin: string): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || REFUSED.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return "/";
  }
  if (url.origin !== new URL(origin).origin) return "/";
  // Dot segments can still resolve to "//host" (`/.//evil.example`): judge the path the browser will use.
  if (url.pathname.startsWith("//")) return "/";
  // The URL serializer percent-encodes what is left, so the Location header is plain ASCII.
  return `${url.pathname}${url.search}${url.hash}`;
}
