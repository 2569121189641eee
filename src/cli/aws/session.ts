/** The person's command-line sign-in, sealed on disk: tokens, their expiry, and refreshing them. */

import { cacheKey, openSealed, removeFile, seal, sessionPath, writePrivateFile } from "./files.js";
import { apiCall, CLIENT_ID, OAuthFailure, oauthPost, SignInNeeded, Unauthorized } from "./server.js";

export interface StoredSession {
  url: string;
  login: string;
  accessToken: string;
  accessExpiresAt: string;
  refreshToken: string;
  sessionExpiresAt: string;
}

export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

const PURPOSE = "rolebridge aws session v1";

export function loadSession(dir: string, url: string): StoredSession | null {
  const key = cacheKey(dir, false);
  return key ? openSealed<StoredSession>(key, PURPOSE, sessionPath(dir, url)) : null;
}

export function saveSession(dir: string, session: StoredSession): void {
  writePrivateFile(sessionPath(dir, session.url), seal(cacheKey(dir, true)!, PURPOSE, session));
}

export function forgetSession(dir: string, url: string): void {
  removeFile(sessionPath(dir, url));
}

const accessFrom = (t: TokenResponse, now = Date.now()) => ({
  accessToken: t.access_token,
  refreshToken: t.refresh_token,
  accessExpiresAt: new Date(now + t.expires_in * 1000).toISOString(),
});

export const sessionFromTokens = (url: string, login: string, sessionExpiresAt: string, t: TokenResponse) => ({
  url,
  login,
  sessionExpiresAt,
  ...accessFrom(t),
});

/** Refreshes the access token; a refused refresh (revoked, ended) forgets the session and asks for a sign-in. */
async function refreshed(dir: string, session: StoredSession): Promise<StoredSession> {
  try {
    const t = await oauthPost<TokenResponse>(session.url, "/oauth/token", {
      grant_type: "refresh_token",
      client_id: CLIENT_ID,
      refresh_token: session.refreshToken,
    });
    const next = { ...session, ...accessFrom(t) };
    saveSession(dir, next);
    return next;
  } catch (err) {
    if (!(err instanceof OAuthFailure)) throw err;
    forgetSession(dir, session.url);
    throw new SignInNeeded(session.url, "your sign-in has ended");
  }
}

/**
 * Calls the end-user API as the signed-in person: refreshes a token about to expire, and once more on a
 * 401. Never prompts: when no sign-in can be had it throws SignInNeeded (one line, non-zero exit).
 */
export async function asPerson<T>(
  dir: string,
  url: string,
  fn: (token: string) => Promise<T>,
  now = Date.now(),
): Promise<T> {
  let session = loadSession(dir, url);
  if (!session) throw new SignInNeeded(url);
  if (Date.parse(session.sessionExpiresAt) <= now) {
    forgetSession(dir, url);
    throw new SignInNeeded(url, "your sign-in has ended");
  }
  if (Date.parse(session.accessExpiresAt) - now < 30_000) session = await refreshed(dir, session);
  try {
    return await fn(session.accessToken);
  } catch (err) {
    if (!(err instanceof Unauthorized)) throw err;
    session = await refreshed(dir, session);
    try {
      return await fn(session.accessToken);
    } catch (again) {
      if (again instanceof Unauthorized) throw new SignInNeeded(url, "your sign-in was refused");
      throw again;
    }
  }
}

export const me = (url: string, token: string) =>
  apiCall<{ user: { login: string }; session: { id: string; expiresAt: string } }>(url, token, "GET", "/api/v1/me");
