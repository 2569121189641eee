import type { ErrorResponse } from "./types";

/** An answer of the admin API other than 2xx, with its stable code and details (e.g. the field at fault). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface Page<T> {
  items: T[];
  /** The cursor of the next page, from the Link rel="next" header; null on the last page. */
  next: string | null;
}

let csrfToken: string | null = null;
let onExpired: () => void = () => {};

/** The session's CSRF token, echoed in x-csrf-token on every write (the cookie alone is not enough). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401 after sign-in: the session expired or was ended elsewhere. */
export function onSessionExpired(handler: () => void): void {
  onExpired = handler;
}

export function nextCursor(link: string | null): string | null {
  const next = link?.split(",").find((part) => /rel="next"/.test(part));
  const url = next && /<([^>]+)>/.exec(next)?.[1];
  return url ? new URL(url).searchParams.get("after") : null;
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  const s = search.toString();
  return s ? `?${s}` : "";
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { accept: "application/json", ...headers };
  if (body !== undefined) h["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) h["x-csrf-token"] = csrfToken;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers: h,
    body: body === undefined ? null : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (response.ok) return response;
  let error: Partial<ErrorResponse> = {};
  try {
    error = (await response.json()) as ErrorResponse;
  } catch {
    // Not our JSON error body (a proxy's page): the status says enough.
  }
  if (response.status === 401 && path !== "/sessions" && path !== "/sessions/me") onExpired();
  throw new ApiError(
    response.status,
    error.code ?? "http_error",
    error.message ?? `${response.status} ${response.statusText}`,
    error.details ?? {},
  );
}

export const api = {
  async get<T>(path: string): Promise<T> {
    return (await (await send("GET", path)).json()) as T;
  },
  async page<T>(path: string): Promise<Page<T>> {
    const response = await send("GET", path);
    return { items: (await response.json()) as T[], next: nextCursor(response.headers.get("link")) };
  },
  async write<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, ifMatch?: number): Promise<T> {
    const response = await send(method, path, body, ifMatch === undefined ? {} : { "if-match": `"${ifMatch}"` });
    return (response.status === 204 ? null : await response.json()) as T;
  },
};

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
