import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type ErrorCode, type FieldError } from "../core/errors.js";
import { InvalidCursor } from "../store/kysely/rows.js";

/** The one error body every endpoint answers with. */
export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * Status per domain code. `locked_out` is 429 rather than WebDAV's 423: it tells generic HTTP clients
 * and proxies "back off and retry later", and we send Retry-After with it.
 */
export const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  illegal_transition: 409,
  version_mismatch: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked_out: 429,
  rate_limited: 429,
  remote_failed: 502,
  internal: 500,
};

/** An error raised by the HTTP shell itself, for codes the core has no reason to know (e.g. invalid_json). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthorized = (message = "authentication required: send Authorization: Bearer <api token>") =>
  new HttpError(401, "unauthorized", message, {}, { "www-authenticate": 'Bearer realm="rolebridge"' });

interface ValidationIssue {
  instancePath?: string;
  message?: string;
}

/** Fastify's own errors we translate by code; everything else unknown becomes a 500. */
function fromFastify(err: FastifyError): HttpError | null {
  if (err.validation) {
    const part = err.validationContext ?? "body";
    const errors: FieldError[] = (err.validation as ValidationIssue[]).map((v) => ({
      path: v.instancePath || "/",
      message: v.message ?? "is invalid",
    }));
    return new HttpError(400, "validation_failed", `the request ${part} is invalid`, { in: part, errors });
  }
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError(400, "invalid_json", "the request body is not valid JSON");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError(413, "payload_too_large", "the request body is too large", {});
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new HttpError(415, "unsupported_media_type", "send the request body as application/json");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HttpError(400, "invalid_request", "the Content-Length header does not match the body");
  }
  // Any other client error Fastify raises (bad URL, header problems) keeps its status, in our shape.
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    return new HttpError(err.statusCode, "invalid_request", err.message);
  }
  return null;
}

export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) {
    const headers: Record<string, string> = {};
    const until = typeof err.details.until === "string" ? Date.parse(err.details.until) : Number.NaN;
    if (err.code === "locked_out" && Number.isFinite(until)) {
      headers["retry-after"] = String(Math.max(1, Math.ceil((until - Date.now()) / 1000)));
    }
    if (err.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="rolebridge"';
    return new HttpError(STATUS_OF[err.code], err.code, err.message, err.details, headers);
  }
  if (err instanceof InvalidCursor) {
    return new HttpError(400, "validation_failed", err.message, {
      in: "querystring",
      errors: [{ path: "/after", message: err.message }],
    });
  }
  if (err && typeof err === "object" && "code" in err) return fromFastify(err as FastifyError);
  return null;
}

export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  const body: ErrorBody = { code: err.code, message: err.message, details: err.details };
  return reply.status(err.statusCode).headers(err.headers).type("application/json; charset=utf-8").send(body);
}

/** One error handler and one not-found handler for the whole server, so every error has one shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = toHttpError(err);
    if (known) {
      if (known.statusCode >= 500) request.log.error({ err }, "request failed");
      return sendError(reply, known);
    }
    // Unknown errors are bugs: log them whole, answer without internals.
    request.log.error({ err }, "unhandled error");
    return sendError(reply, new HttpError(500, "internal", "internal server error; see the server log", {}));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new HttpError(404, "not_found", `no route ${request.method} ${request.url.split("?")[0]}`, {
        method: request.method,
      }),
    ),
  );
}
