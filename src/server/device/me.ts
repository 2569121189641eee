import type { FastifyInstance, FastifyRequest } from "fastify";
import { cliAwsRoles, cliSamlResponse } from "../../core/device-auth/aws.js";
import type { User } from "../../core/directory/model.js";
import type { Runtime } from "../../runtime.js";
import type { CliSession } from "../../store/contract-device.js";
import { HttpError } from "../errors.js";

const invalidToken = (message: string) =>
  new HttpError(
    "unauthorized",
    message,
    { reason: "invalid_token" },
    { "www-authenticate": 'Bearer realm="rolebridge", error="invalid_token"' },
  );

/**
 * The end-user API for programs, authenticated by a CLI access token (never an admin API token): who am I,
 * which AWS roles do I have, and a signed SAMLResponse for one of my AWS apps.
 */
export async function meRoutes(app: FastifyInstance, opts: { runtime: Runtime }) {
  const { runtime } = opts;
  // The OpenAPI document describes the admin API; this end-user side is in docs/cli-credentials.md.
  app.addHook("onRoute", (route) => {
    route.schema = { ...route.schema, hide: true };
  });

  async function person(request: FastifyRequest): Promise<{ user: User; session: CliSession }> {
    const header = request.headers.authorization;
    const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) throw invalidToken("send Authorization: Bearer <access token from `rolebridge aws login`>");
    const found = await runtime.deviceAuth.authenticate(match[1]!);
    if (!found) throw invalidToken("the sign-in has expired or was revoked; run `rolebridge aws login`");
    return found;
  }

  app.get("/api/v1/me", async (request) => {
    const { user, session } = await person(request);
    return {
      user: { id: user.id, login: user.profile.login, displayName: user.profile.displayName },
      session: { id: session.id, created: session.created, expiresAt: session.sessionExpiresAt },
    };
  });

  app.get("/api/v1/me/aws/roles", async (request) => {
    const { user } = await person(request);
    return { apps: await cliAwsRoles(runtime.store, user) };
  });

  app.post<{ Params: { slug: string } }>("/api/v1/me/apps/:slug/saml", async (request) => {
    const { user, session } = await person(request);
    const deps = {
      store: runtime.store,
      keys: runtime.signingKeys,
      publicUrl: runtime.publicUrl,
      clock: runtime.clock,
    };
    return cliSamlResponse(deps, user, session, request.params.slug.slice(0, 200), request.id);
  });
}
