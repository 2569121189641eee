import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { cloudFormationService } from "./cloudformation/index.js";
import { iamService } from "./iam/index.js";
import { organizationsService } from "./organizations/index.js";
import { ApiDispatcher } from "./protocol/dispatch.js";
import { AwsError } from "./protocol/errors.js";
import { JSON_CONTENT_TYPE, jsonError } from "./protocol/json.js";
import { newRequestId, queryError } from "./protocol/query.js";
import { signinEndpoint } from "./saml/partitions.js";
import { handleAcs } from "./signin/acs.js";
import { federationEndpoint } from "./signin/federation.js";
import { signinErrorPage } from "./signin/pages.js";
import type { SandboxStore } from "./state/store.js";
import { stsService } from "./sts/index.js";

/** CreateSAMLProvider accepts metadata up to 10,000,000 characters; anything bigger than this is refused. */
export const MAX_API_BODY_BYTES = 11 * 1024 * 1024;
/** The console sign-in is known to fail around 128 KB; leave room for the other form fields. */
export const MAX_SIGNIN_BODY_BYTES = 160 * 1024;

export interface SandboxServerOptions {
  store: SandboxStore;
  logger?: Logger | undefined;
  baseUrl: () => string;
}

export function buildSandboxServer(options: SandboxServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    // Fastify's request log holds method, url and status only: bodies carry secrets and are never logged.
    bodyLimit: MAX_API_BODY_BYTES,
  }) as unknown as FastifyInstance;
  const dispatcher = new ApiDispatcher(
    {
      query: { iam: iamService, sts: stsService, cloudformation: cloudFormationService },
      json: { organizations: organizationsService },
    },
    options.store,
    options.baseUrl,
    (err) =>
      app.log.error(
        { err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
        "sandbox failure",
      ),
  );

  // Every protocol here is parsed by the sandbox itself (form, JSON 1.1, SAML form posts), so bodies stay raw.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const tooLarge = error.code === "FST_ERR_CTP_BODY_TOO_LARGE";
    const status = tooLarge ? 413 : (error.statusCode ?? 500);
    if (!tooLarge && status >= 500)
      request.log.error({ err: { message: error.message, code: error.code } }, "sandbox failure");
    const aws = tooLarge
      ? new AwsError("RequestEntityTooLarge", "Request body is larger than the sandbox accepts.", 413)
      : new AwsError(
          status >= 500 ? "InternalFailure" : "InvalidRequest",
          error.message,
          status,
          status >= 500 ? "Receiver" : "Sender",
        );
    if (request.url.startsWith("/signin/") || request.url.startsWith("/saml")) {
      return reply.code(status).type("text/html").send(signinErrorPage(aws.message, aws.code));
    }
    return sendApiError(reply, request, aws);
  });

  app.post("/", async (request, reply) => {
    const response = await dispatcher.handle({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: typeof request.body === "string" ? request.body : "",
    });
    return reply.code(response.status).headers(response.headers).send(response.body);
  });

  const acs = async (request: FastifyRequest, reply: FastifyReply, host: string) => {
    const endpoint = signinEndpoint(host);
    if (!endpoint) return reply.code(404).type("text/plain").send(`No AWS sign-in endpoint is emulated for ${host}\n`);
    const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
    const result = await handleAcs(options.store.state, endpoint, form, request.url, new Date());
    return reply.code(result.status).type("text/html; charset=utf-8").send(result.html);
  };
  app.post<{ Params: { host: string } }>("/signin/:host/saml", { bodyLimit: MAX_SIGNIN_BODY_BYTES }, (request, reply) =>
    acs(request, reply, request.params.host),
  );
  // Reached through the real host name (e.g. a hosts-file entry or a proxy for signin.aws.amazon.com).
  app.post("/saml", { bodyLimit: MAX_SIGNIN_BODY_BYTES }, (request, reply) =>
    acs(request, reply, String(request.headers.host ?? "").replace(/:\d+$/, "")),
  );

  const federation = federationEndpoint();
  const federate = (request: FastifyRequest, reply: FastifyReply, host: string) => {
    const endpoint = signinEndpoint(host);
    if (!endpoint) return reply.code(404).type("text/plain").send(`No AWS sign-in endpoint is emulated for ${host}\n`);
    const query = new URLSearchParams(request.url.slice(request.url.indexOf("?") + 1));
    const answer = federation(options.store.state, endpoint, request.url.includes("?") ? query : new URLSearchParams());
    return reply.code(answer.status).type(answer.type).send(answer.body);
  };
  app.get<{ Params: { host: string } }>("/signin/:host/federation", (request, reply) =>
    federate(request, reply, request.params.host),
  );
  app.get("/federation", (request, reply) =>
    federate(request, reply, String(request.headers.host ?? "").replace(/:\d+$/, "")),
  );

  app.get("/healthz", async () => ({ status: "ok" }));
  return app;
}

function sendApiError(reply: FastifyReply, request: FastifyRequest, error: AwsError) {
  const requestId = newRequestId();
  if (typeof request.headers["x-amz-target"] === "string") {
    const { status, body } = jsonError(error);
    return reply.code(status).headers({ "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId }).send(body);
  }
  return reply
    .code(error.status)
    .headers({ "content-type": "text/xml", "x-amzn-requestid": requestId })
    .send(queryError(error, "https://iam.amazonaws.com/doc/2010-05-08/", requestId));
}
