import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OAuthError } from "../../core/device-auth/oauth-errors.js";
import { DEVICE_GRANT_TYPE, type TokenResponse } from "../../core/device-auth/service.js";
import type { Runtime } from "../../runtime.js";

/** OAuth parameters are single-valued (RFC 6749 §3.1): a repeated one is refused, never guessed at. */
function formOf(request: FastifyRequest): Record<string, string | undefined> {
  const type = String(request.headers["content-type"] ?? "");
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw new OAuthError("invalid_request", "send the parameters as application/x-www-form-urlencoded");
  }
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.body ?? {}) as Record<string, unknown>)) {
    if (typeof value !== "string") throw new OAuthError("invalid_request", `parameter ${key} is repeated`);
    out[key] = value;
  }
  return out;
}

const noStore = (reply: FastifyReply) => reply.header("cache-control", "no-store").header("pragma", "no-cache");

/**
 * The authorization server for programs: RFC 8414 metadata, the RFC 8628 device authorization endpoint,
 * the RFC 6749 token endpoint (device code and refresh token grants) and RFC 7009 revocation. Errors have
 * OAuth's shape (`error`, `error_description`), which every OAuth client library understands.
 */
export async function oauthRoutes(app: FastifyInstance, opts: { runtime: Runtime }) {
  const { runtime } = opts;
  // The OpenAPI document describes the admin API; this end-user side is in docs/cli-credentials.md.
  app.addHook("onRoute", (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  app.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof OAuthError) {
      noStore(reply).code(err.status);
      if (err.status === 401) reply.header("www-authenticate", 'Basic realm="rolebridge"');
      return reply.send(err.toJSON());
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return noStore(reply)
        .code(400)
        .send({ error: "invalid_request", error_description: (err as Error).message });
    }
    request.log.error({ err }, "oauth endpoint failed");
    return reply.code(500).send({ error: "server_error", error_description: "internal error; see the server log" });
  });

  const issuer = () => runtime.publicUrl.replace(/\/+$/, "");

  app.get("/.well-known/oauth-authorization-server", async () => ({
    issuer: issuer(),
    token_endpoint: `${issuer()}/oauth/token`,
    device_authorization_endpoint: `${issuer()}/oauth/device_authorization`,
    revocation_endpoint: `${issuer()}/oauth/revoke`,
    grant_types_supported: [DEVICE_GRANT_TYPE, "refresh_token"],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    response_types_supported: [],
    scopes_supported: ["aws"],
  }));

  app.post("/oauth/device_authorization", async (request, reply) => {
    const form = formOf(request);
    const started = await runtime.deviceAuth.startAuthorization(
      { clientId: form.client_id, scope: form.scope },
      `${issuer()}/device`,
    );
    return noStore(reply).send(started);
  });

  app.post("/oauth/token", async (request, reply) => {
    const form = formOf(request);
    const grant = form.grant_type;
    if (!grant) throw new OAuthError("invalid_request", "grant_type is required");
    let tokens: TokenResponse;
    if (grant === DEVICE_GRANT_TYPE) {
      tokens = await runtime.deviceAuth.pollToken({ clientId: form.client_id, deviceCode: form.device_code });
    } else if (grant === "refresh_token") {
      tokens = await runtime.deviceAuth.refresh({ clientId: form.client_id, refreshToken: form.refresh_token });
    } else {
      throw new OAuthError("unsupported_grant_type", `grant_type ${grant} is not supported`);
    }
    return noStore(reply).send(tokens);
  });

  // RFC 7009 §2.2: the answer is 200 whether or not the token was known.
  app.post("/oauth/revoke", async (request, reply) => {
    const form = formOf(request);
    if (!form.token) throw new OAuthError("invalid_request", "token is required");
    await runtime.deviceAuth.revokeToken(form.token, request.id);
    return noStore(reply).code(200).send({});
  });
}
