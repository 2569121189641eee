import { randomUUID } from "node:crypto";
import cookie from "@fastify/cookie";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Runtime } from "../runtime.js";
import { authenticate, SESSION_COOKIE } from "./auth.js";
import { consoleRoutes } from "./console/routes.js";
import { meRoutes } from "./device/me.js";
import { oauthRoutes } from "./device/oauth.js";
import { devicePortalRoutes } from "./device/portal.js";
import { installErrorHandling } from "./errors.js";
import { installMetrics } from "./metrics.js";
import { portalRoutes } from "./portal/routes.js";
import { Readiness } from "./readiness.js";
import { activationLinkRoutes } from "./routes/activation-links.js";
import { appRoutes } from "./routes/apps.js";
import { cliSessionRoutes } from "./routes/cli-sessions.js";
import { groupRoutes } from "./routes/groups.js";
import { importRoutes } from "./routes/import.js";
import { logRoutes } from "./routes/logs.js";
import { membershipRuleRoutes } from "./routes/membership-rules.js";
import { migrationRoutes } from "./routes/migrations.js";
import { opsRoutes } from "./routes/ops.js";
import { policyRoutes } from "./routes/policy.js";
import { provisioningRoutes } from "./routes/provisioning.js";
import { sessionRoutes } from "./routes/sessions.js";
import { sourceRoutes } from "./routes/sources.js";
import { tokenRoutes } from "./routes/tokens.js";
import { userRoutes } from "./routes/users.js";
import { validatorCompiler } from "./validation.js";

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
} as const;

/**
 * The HTTP shell: admin REST API under /api/v1, its OpenAPI document, and the ops endpoints.
 * It does not listen (see start.ts) and does not own the runtime: closing the app leaves the store open.
 */
export async function buildApp(runtime: Runtime, opts: { readiness?: Readiness } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: runtime.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: runtime.config.bodyLimitBytes,
    trustProxy: runtime.config.trustProxy,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    // While closing, a request that still arrives on an open connection is served, not refused with 503: a load
    // balancer may send some until its health checks see /readyz fail (start.ts drains before closing).
    return503OnClosing: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  installErrorHandling(app);
  app.decorateRequest("auth", null);

  // JSON only: no text/plain or form parser, so a cross-site form cannot reach the API (and gets 415).
  // An empty JSON body is read as "no body", as clients commonly send one with bodiless POSTs.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  // Behind an https public URL, browsers are told to never use plain http for this host again (a year).
  const headers: Record<string, string> = runtime.publicUrl.startsWith("https://")
    ? { ...SECURITY_HEADERS, "strict-transport-security": "max-age=31536000; includeSubDomains" }
    : SECURITY_HEADERS;
  // Defaults, not overrides: a route that serves HTML (portal, SAML POST forms) sets its own CSP.
  app.addHook("onSend", async (request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    reply.header("x-request-id", request.id);
    return payload;
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "rolebridge admin API",
        version: "1",
        description:
          "Okta-style admin API. Authenticate with `Authorization: Bearer <api token>` (create one with " +
          "`rolebridge token create`) or with an admin session cookie plus the `x-csrf-token` header on writes.",
      },
      components: {
        securitySchemes: {
          apiToken: { type: "http", scheme: "bearer", description: "API token (rbt_…)" },
          adminSession: { type: "apiKey", in: "cookie", name: SESSION_COOKIE },
        },
      },
      security: [{ apiToken: [] }, { adminSession: [] }],
    },
  });

  const registry = installMetrics(app, runtime);
  await app.register(opsRoutes, { runtime, registry, readiness: opts.readiness ?? new Readiness() });
  // The end-user side (sign-in page, dashboard, SSO, IdP metadata) is HTML with its own form parser.
  await app.register(portalRoutes, { runtime });
  // The admin console (a single-page app over /api/v1), built into dist/web.
  await app.register(consoleRoutes);
  // Sign-in for programs (OAuth device grant), its pages in the portal, and the end-user API it unlocks.
  await app.register(oauthRoutes, { runtime });
  await app.register(devicePortalRoutes, { runtime });
  await app.register(meRoutes, { runtime });
  await app.register(
    async (api) => {
      api.addHook("onRequest", authenticate(runtime));
      await api.register(sessionRoutes, { runtime });
      await api.register(userRoutes, { runtime });
      await api.register(activationLinkRoutes, { runtime });
      await api.register(groupRoutes, { runtime });
      await api.register(membershipRuleRoutes, { runtime });
      await api.register(logRoutes, { runtime });
      await api.register(tokenRoutes, { runtime });
      await api.register(appRoutes, { runtime });
      await api.register(provisioningRoutes, { runtime });
      await api.register(importRoutes, { runtime });
      await api.register(migrationRoutes, { runtime });
      await api.register(policyRoutes, { runtime });
      await api.register(cliSessionRoutes, { runtime });
      await api.register(sourceRoutes, { runtime });
    },
    { prefix: "/api/v1" },
  );
  return app;
}
