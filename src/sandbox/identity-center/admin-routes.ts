import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AdminError, type IdentityCenterAdmin, type SettingsUpdate } from "./admin.js";

export const ADMIN_PREFIX = "/_sandbox/identity-center";

type Params = { tenant: string; tokenId: string };

/**
 * The admin API has no credentials of its own: it answers only clients on the same host, which is where the
 * sandbox (loopback by default) and its operator are.
 */
const isLoopback = (address: string | undefined) =>
  address !== undefined && (/^(::ffff:)?127\./.test(address) || address === "::1");

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = typeof request.body === "string" ? request.body : "";
  if (raw.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the same answer as a JSON value that is not an object.
  }
  throw new AdminError(400, "the body must be a JSON object");
}

const text = (value: unknown, name: string): string => {
  if (typeof value !== "string" || value === "") throw new AdminError(400, `${name} is required`);
  return value;
};
const optionalText = (value: unknown, name: string): string | undefined =>
  value === undefined ? undefined : text(value, name);

export function registerAdminRoutes(app: FastifyInstance, admin: IdentityCenterAdmin): void {
  const route = (
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    run: (params: Params, body: () => Record<string, unknown>, request: FastifyRequest) => unknown,
    status = 200,
  ) =>
    app.route({
      method,
      url: `${ADMIN_PREFIX}${path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          if (!isLoopback(request.socket.remoteAddress))
            throw new AdminError(403, "the admin API answers loopback only");
          const result = run(request.params as Params, () => jsonBody(request), request);
          if (result === undefined) return reply.code(204).send();
          return reply.code(status).type("application/json").send(JSON.stringify(result));
        } catch (err) {
          if (!(err instanceof AdminError)) throw err;
          return reply
            .code(err.status)
            .type("application/json")
            .send(JSON.stringify({ error: err.status, message: err.message }));
        }
      },
    });

  route("GET", "", () => admin.listInstances());
  route(
    "POST",
    "",
    (_p, body) => {
      const b = body();
      return admin.createInstance({
        ...(b.tenantId === undefined ? {} : { tenantId: text(b.tenantId, "tenantId") }),
        ...(b.region === undefined ? {} : { region: text(b.region, "region") }),
      });
    },
    201,
  );
  route("GET", "/:tenant/tokens", (p) => admin.listTokens(p.tenant));
  route(
    "POST",
    "/:tenant/tokens",
    (p, body) => {
      const expiresAt = optionalText(body().expiresAt, "expiresAt");
      return admin.createToken(p.tenant, expiresAt === undefined ? {} : { expiresAt });
    },
    201,
  );
  route("DELETE", "/:tenant/tokens/:tokenId", (p) => admin.deleteToken(p.tenant, p.tokenId));
  route("POST", "/:tenant/settings", (p, body) => admin.configure(p.tenant, body() as SettingsUpdate));
  // Counts only: the in-process handle also has each request's time.
  route("GET", "/:tenant/traffic", (p) =>
    Object.fromEntries(
      Object.entries(admin.trafficReport(p.tenant)).map(([k, { timeline: _t, ...counts }]) => [k, counts]),
    ),
  );
  route("PUT", "/:tenant/saml-metadata", (p, body) =>
    admin.setSamlMetadata(p.tenant, text(body().metadata, "metadata")),
  );
  route("GET", "/:tenant/permission-sets", (p) => admin.listPermissionSets(p.tenant));
  route(
    "POST",
    "/:tenant/permission-sets",
    (p, body) => {
      const b = body();
      const description = optionalText(b.description, "description");
      const sessionDuration = optionalText(b.sessionDuration, "sessionDuration");
      return admin.createPermissionSet(p.tenant, {
        name: text(b.name, "name"),
        ...(description === undefined ? {} : { description }),
        ...(sessionDuration === undefined ? {} : { sessionDuration }),
      });
    },
    201,
  );
  route("GET", "/:tenant/assignments", (p) => admin.listAssignments(p.tenant));
  route(
    "POST",
    "/:tenant/assignments",
    (p, body) => {
      const b = body();
      return admin.assign(p.tenant, {
        permissionSet: text(b.permissionSet, "permissionSet"),
        group: text(b.group, "group"),
        accountId: text(b.accountId, "accountId"),
      });
    },
    201,
  );
}
