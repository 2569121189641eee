import pino from "pino";

/**
 * Redaction by key name at any depth: a credential is a credential wherever it hides (`{err: {details:
 * {token}}}`, an array of steps, an error's details). Key names are compared lower-cased without
 * separators, so `csrfToken`, `x-csrf-token` and `CSRF_TOKEN` are one name.
 */
const SECRET_SUFFIXES = ["password", "secret", "token", "authorization", "cookie", "privatekey", "apikey"];
const SECRET_NAMES = new Set(["secretaccesskey", "sessionid", "masterkey", "setcookie", "samlresponse"]);

export const REDACTED = "[redacted]";

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, "");
  return SECRET_NAMES.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

const MAX_DEPTH = 12;

/**
 * A copy of `value` with every secret-named key's value replaced. Plain objects, arrays and errors are
 * walked (errors through pino's own serializer, so their type, message, stack and details survive); any
 * other object (a request, a socket) is left to the logger's serializers.
 */
export function redactDeep(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  if (depth > MAX_DEPTH) return "[too deep]";
  seen.add(value);
  try {
    if (value instanceof Error) {
      // Serialized as pino would, then walked. The copy has no prototype, so when the logger's own `err`
      // serializer sees it again it keeps the error's name as its type instead of "Object".
      const walked = redactDeep({ ...pino.stdSerializers.err(value) }, seen, depth + 1);
      return Object.assign(Object.create(null), walked);
    }
    if (Array.isArray(value)) return value.map((v) => redactDeep(v, seen, depth + 1));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactDeep(v, seen, depth + 1);
    return out;
  } finally {
    seen.delete(value);
  }
}
