import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, ERROR_CODES, type ErrorCode, type FieldError } from "../core/errors.js";
import { isStoreUnavailable } from "../store/unavailable.js";

/** The one error body every endpoint answers with. */
export interface ErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/**
 * An answer the HTTP shell sends: a domain error plus the headers HTTP adds to it. Its status comes from
 * the one table (`ERROR_CODES`), never chosen here.
 */
export class HttpError extends DomainError {
  readonly statusCode: number;
  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, details);
    this.name = "HttpError";
    this.statusCode = ERROR_CODES[code].status;
  }
}

export const unauthorized = (message = "authentication required: send Authorization: Bearer <api token>") =>
  new DomainError("unauthorized", message);

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
    return new HttpError("validation_failed", `the request ${part} is invalid`, { in: part, errors });
  }
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpError("invalid_json", "the request body is not valid JSON");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpError("payload_too_large", "the request body is too large", {});
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new HttpError("unsupported_media_type", "send the request body as application/json");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HttpError("invalid_request", "the Content-Length header does not match the body");
  }
  // Any other client error Fastify raises (bad URL, header problems) keeps its status, in our shape.
  if (typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    const answer = new HttpError("invalid_request", err.message);
    return Object.assign(answer, { statusCode: err.statusCode });
  }
  return null;
}

/** Headers HTTP adds to some codes: when to retry a lockout, how to authenticate. */
function headersFor(err: DomainError): Record<string, string> {
  const headers: Record<string, string> = {};
  const until = typeof err.details.until === "string" ? Date.parse(err.details.until) : Number.NaN;
  if (err.code === "locked_out" && Number.isFinite(until)) {
    headers["retry-after"] = String(Math.max(1, Math.ceil((until - Date.now()) / 1000)));
  }
  if (err.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="rolebridge"';
  return headers;
}

/** The one mapping of the HTTP shell: any error the table knows keeps its code; the status is the table's. */
export function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof DomainError) {
    return new HttpError(err.code, err.message, err.details, headersFor(err));
  }
  if (isStoreUnavailable(err)) return new HttpError("store_unavailable", ERROR_CODES.store_unavailable.message);
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
    return sendError(reply, new HttpError("internal", "internal server error; see the server log"));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new HttpError("not_found", `no route ${request.method} ${request.url.split("?")[0]}`, {
        method: request.method,
      }),
    ),
  );
}
