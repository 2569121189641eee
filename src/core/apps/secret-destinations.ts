import { type FieldError, validationFailed } from "../errors.js";

/**
 * Where each sealed app secret is sent. A secret is only as safe as the URL it goes to: whoever can change
 * the URL could otherwise press "Test API Credentials" and receive the secret that is "never returned". So a
 * change of the destination forgets the secret, and the admin sets it again for the new destination.
 */
const DESTINATIONS: { secret: string; url: (settings: Record<string, unknown>) => unknown }[] = [
  { secret: "scim_token", url: (s) => s.baseUrl },
  { secret: "aws_secret_access_key", url: (s) => (isObject(s.api) ? s.api.endpointUrl : undefined) },
];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The secrets whose destination differs between two versions of an app's settings. */
export function secretsToForget(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return DESTINATIONS.filter((d) => (d.url(before) ?? null) !== (d.url(after) ?? null)).map((d) => d.secret);
}

/** Settings that name where secrets or signed assertions are sent, at any depth. */
const SENSITIVE_URL_KEYS = new Set(["baseUrl", "endpointUrl", "signinEndpointUrl", "acsUrl"]);

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * Production refuses plain http for every URL a secret or a signed assertion travels to, unless it stays on
 * this machine (a local sandbox, a sidecar).
 */
export function assertSecureDestinations(settings: Record<string, unknown>): void {
  const errors: FieldError[] = [];
  const walk = (value: unknown, path: string) => {
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "string" && SENSITIVE_URL_KEYS.has(key) && isInsecure(v)) {
        errors.push({
          path: `${path}/${key}`,
          message: "must be an https:// URL in production (plain http is allowed only to a loopback address)",
        });
      } else walk(v, `${path}/${key}`);
    }
  };
  walk(settings, "/settings");
  if (errors.length) throw validationFailed("the app sends secrets or assertions over plain http", errors);
}

function isInsecure(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false; // malformed URLs are the settings validator's to name
  }
  return url.protocol === "http:" && !LOOPBACK.test(url.hostname);
}
