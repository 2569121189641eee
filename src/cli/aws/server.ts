/** The CLI talks to the rolebridge server over HTTP only: the OAuth endpoints and the end-user API. */
import { DomainError, isErrorCode } from "../../core/errors.js";
import { CliError } from "../output.js";

export const CLIENT_ID = "rolebridge-cli";
export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** Sign-in is needed and the CLI must not prompt: one line, and the table's exit code for `unauthorized`. */
export class SignInNeeded extends CliError {
  constructor(url: string, why = "you are not signed in") {
    super(`${why}; run \`rolebridge aws login --url ${url}\``, "unauthorized");
  }
}

export class OAuthFailure extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

async function call(url: string, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new CliError(`cannot reach rolebridge at ${url}: ${reason}`, "remote_failed", { system: "rolebridge" });
  }
}

/** A form post to an OAuth endpoint; OAuth errors come back as OAuthFailure with the RFC's code. */
export async function oauthPost<T>(url: string, path: string, form: Record<string, string>): Promise<T> {
  const res = await call(url, path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    if (typeof body.error === "string") throw new OAuthFailure(body.error, String(body.error_description ?? ""));
    throw new CliError(`rolebridge at ${url} answered ${res.status} on ${path}`, "remote_failed", {
      system: "rolebridge",
      remoteStatus: res.status,
    });
  }
  return body as T;
}

export class Unauthorized extends Error {}

/** A call to the end-user API with an access token; 401 is Unauthorized (refresh and retry), other errors say why. */
export async function apiCall<T>(url: string, token: string, method: "GET" | "POST", path: string): Promise<T> {
  const res = await call(url, path, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 401) {
    const details = body.details as Record<string, unknown> | undefined;
    if (details?.reason === "cli_session_too_old") throw new SignInNeeded(url, String(body.message).split(";")[0]);
    throw new Unauthorized(String(body.message ?? "unauthorized"));
  }
  if (!res.ok) {
    // The server's own error (its code, message and details) is this command's error.
    const details = (body.details ?? {}) as Record<string, unknown>;
    if (isErrorCode(body.code)) throw new DomainError(body.code, String(body.message ?? ""), details);
    throw new CliError(`rolebridge answered ${res.status} on ${path}`, "remote_failed", {
      system: "rolebridge",
      remoteStatus: res.status,
    });
  }
  return body as T;
}
