import type { FastifyReply, FastifyRequest } from "fastify";
import { publicUrlOf } from "../config/load.js";
import type { Runtime } from "../runtime.js";
import { HttpError } from "./errors.js";

/** Small HTTP conventions shared by the routes: ETag/If-Match versions and Okta-style Link paging. */

export const etagOf = (version: number) => `"${version}"`;

/**
 * The version a write must apply to, from `If-Match: "<version>"` (weak tags accepted, `*` means any).
 * A value that is not one of our tags can never match the current version, hence 412 rather than 400.
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers["if-match"];
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === "*") return undefined;
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(value);
  if (!match) {
    throw new HttpError("version_mismatch", 'If-Match must be an ETag this server sent, e.g. "3"', {
      ifMatch: value.slice(0, 100),
    });
  }
  return Number(match[1]);
}

export function sendVersioned<T extends { version: number }>(reply: FastifyReply, object: T, status = 200) {
  return reply.status(status).header("etag", etagOf(object.version)).send(object);
}

/** `Link: <…>; rel="self"` and, when there is another page, `<…?after=…>; rel="next"` (Okta's paging). */
export function setPageLinks(
  runtime: Runtime,
  request: FastifyRequest,
  reply: FastifyReply,
  nextCursor: string | null,
): void {
  // Concatenated, not resolved, so a public URL with a path prefix keeps it.
  const url = new URL(`${publicUrlOf(runtime.config)}${request.url}`);
  const links = [`<${url.toString()}>; rel="self"`];
  if (nextCursor) {
    url.searchParams.set("after", nextCursor);
    links.push(`<${url.toString()}>; rel="next"`);
  }
  reply.header("link", links.join(", "));
}
