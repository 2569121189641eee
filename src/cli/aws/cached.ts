/**
 * The hot path of `rolebridge aws credentials`: what every AWS CLI command pays through credential_process.
 * It reads the encrypted cache with node built-ins only and prints; anything else (no cache, near expiry,
 * a flag it does not know) falls through to the full command, which loads commander, HTTP and the AWS SDK.
 */
import { parseArgs } from "node:util";
import { cacheKey, cliDir, credentialsPath, openSealed, readConfig } from "./files.js";

/**
 * Cached credentials are used until this close to their expiry: the AWS CLI (botocore) insists on refreshing
 * credentials with less than 10 minutes left, so handing it such keys would only make it ask again.
 */
export const REFRESH_MARGIN_MS = 10 * 60_000;

export interface ProcessCredentials {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export interface CredentialsRequest {
  url: string;
  role: string;
  duration: number;
  stsEndpoint: string;
  region: string;
  /** The app to sign in through, for a role reachable through several; absent: the one that lists it. */
  app?: string;
}

/** The cache entry's identity: the same request, and only the same, reads the same file. */
export const requestParts = (r: CredentialsRequest) =>
  ["v1", r.url, r.role, String(r.duration), r.stsEndpoint, r.region, ...(r.app ? [r.app] : [])] as const;

export const credentialsPurpose = "rolebridge aws credentials v1";

export function freshFromCache(dir: string, request: CredentialsRequest, now = Date.now()): ProcessCredentials | null {
  const key = cacheKey(dir, false);
  if (!key) return null;
  const found = openSealed<ProcessCredentials>(key, credentialsPurpose, credentialsPath(dir, requestParts(request)));
  if (!found || !(Date.parse(found.Expiration) - now > REFRESH_MARGIN_MS)) return null;
  return found;
}

/**
 * Answers `aws credentials ...` from the cache when it can; false sends the call to the full command, which
 * also reports any problem (an unreadable key file, say) properly.
 */
export function printCachedCredentials(args: string[]): boolean {
  try {
    return tryCache(args);
  } catch {
    return false;
  }
}

function tryCache(args: string[]): boolean {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        url: { type: "string" },
        role: { type: "string" },
        duration: { type: "string" },
        "sts-endpoint": { type: "string" },
        region: { type: "string" },
        app: { type: "string" },
      },
    }));
  } catch {
    return false;
  }
  const dir = cliDir();
  const config = readConfig(dir);
  const url = (values.url as string | undefined) ?? config.url;
  const role = values.role as string | undefined;
  const duration = Number(values.duration ?? 3600);
  if (!url || !role || !Number.isInteger(duration)) return false;
  const found = freshFromCache(dir, {
    url: url.replace(/\/+$/, ""),
    role,
    duration,
    stsEndpoint: (values["sts-endpoint"] as string | undefined) ?? config.stsEndpoint ?? "",
    region: (values.region as string | undefined) ?? config.region ?? "",
    ...(values.app ? { app: values.app as string } : {}),
  });
  if (!found) return false;
  process.stdout.write(`${JSON.stringify(found)}\n`);
  return true;
}
