import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SandboxState } from "../state/model.js";
import type { SandboxStore } from "../state/store.js";
import { resourceTypes, schemaById, schemas, serviceProviderConfig } from "./discovery.js";
import { badRequest, notFound, SCIM_CONTENT_TYPE, ScimError, scimErrorBody } from "./errors.js";
import { createGroup, deleteGroup, findGroup, groupResource, membershipOperations, patchGroup } from "./groups.js";
import { listResponse, page, parseFilter } from "./lists.js";
import { findInstance, hashToken, type IdentityCenterInstance } from "./model.js";
import { GROUP_FILTERS, matchGroups, matchUsers, USER_FILTERS } from "./queries.js";
import type { TrafficControl } from "./traffic.js";
import { createUser, deleteUser, findUser, patchUser, replaceUser, userResource } from "./users.js";

export interface ScimRouteOptions {
  store: SandboxStore;
  traffic: TrafficControl;
  baseUrl: () => string;
}

interface Outcome {
  status: number;
  body?: unknown;
  location?: string;
}

type Query = Record<string, string | undefined>;

const unauthorized = () => new ScimError(401, "Unauthorized");

/** A token of another instance, an unknown tenant, an expired or missing token: all the same 401. */
function authenticate(state: Readonly<SandboxState>, tenantId: string, header: string | undefined, now: Date) {
  const instance = findInstance(state, tenantId);
  const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!instance || !bearer) throw unauthorized();
  const presented = Buffer.from(hashToken(bearer), "hex");
  const valid = instance.tokens.some(
    (t) => timingSafeEqual(Buffer.from(t.tokenHash, "hex"), presented) && new Date(t.expiresAt) > now,
  );
  if (!valid) throw unauthorized();
  return instance;
}

/** A parameter given twice (`?count=1&count=2`) is refused rather than guessed at. */
function singleValued(query: unknown): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof value !== "string") throw badRequest(`Parameter ${key} must be given once.`);
    out[key] = value;
  }
  return out;
}

function parseBody(raw: unknown): unknown {
  if (typeof raw !== "string" || raw.trim() === "") throw badRequest();
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest();
  }
}

/**
 * Reads are answered from the live state; writes run in one store mutation, so a failure writes nothing. A
 * writer reads the committed `instance` and changes only the draft elements it replaces.
 */
function handle(
  options: ScimRouteOptions,
  instance: Readonly<IdentityCenterInstance>,
  method: string,
  segments: string[],
  query: Query,
  rawBody: unknown,
): Outcome {
  const [collection, id, extra] = segments;
  const now = new Date().toISOString();
  const write = <T>(change: (draft: IdentityCenterInstance) => T): T =>
    options.store.mutate((draft) => change(findInstance(draft, instance.tenantId)!));
  const location = (kind: string, objectId: string) =>
    `${options.baseUrl()}/${instance.tenantId}/scim/v2/${kind}/${objectId}`;
  if (extra !== undefined || segments.some((s) => s === "")) throw notFound("Resource not found");

  if (collection === "ServiceProviderConfig" && !id && method === "GET")
    return { status: 200, body: serviceProviderConfig() };
  if (collection === "Schemas" && method === "GET") return { status: 200, body: id ? schemaById(id) : schemas() };
  if (collection === "ResourceTypes" && !id && method === "GET") return { status: 200, body: resourceTypes() };

  if (collection === "Users") {
    if (!id && method === "GET") {
      const conditions = parseFilter(query.filter, USER_FILTERS);
      const matching = matchUsers(instance, conditions);
      const result = page(matching, query, instance.settings.legacyPaging);
      return { status: 200, body: listResponse(result.items.map(userResource), result) };
    }
    if (!id && method === "POST") {
      const user = write((draft) => createUser(instance, draft, parseBody(rawBody), now));
      return { status: 201, body: userResource(user), location: location("Users", user.id) };
    }
    if (id && method === "GET") return { status: 200, body: userResource(findUser(instance, id)) };
    if (id && method === "PUT")
      return { status: 200, body: userResource(write((d) => replaceUser(instance, d, id, parseBody(rawBody), now))) };
    if (id && method === "PATCH")
      return { status: 200, body: userResource(write((d) => patchUser(instance, d, id, parseBody(rawBody), now))) };
    if (id && method === "DELETE") {
      write((d) => deleteUser(instance, d, id));
      return { status: 204 };
    }
  }
  if (collection === "Groups") {
    if (!id && method === "GET") {
      const conditions = parseFilter(query.filter, GROUP_FILTERS);
      const matching = matchGroups(instance, conditions);
      const result = page(matching, query, instance.settings.legacyPaging);
      return { status: 200, body: listResponse(result.items.map(groupResource), result) };
    }
    if (!id && method === "POST") {
      const group = write((draft) => createGroup(instance, draft, parseBody(rawBody), now));
      return { status: 201, body: groupResource(group), location: location("Groups", group.id) };
    }
    if (id && method === "GET") return { status: 200, body: groupResource(findGroup(instance, id)) };
    if (id && method === "PUT") throw badRequest("PUT is not supported for groups; use PATCH.");
    if (id && method === "PATCH") {
      write((d) => patchGroup(instance, d, id, parseBody(rawBody), now));
      return { status: 204 };
    }
    if (id && method === "DELETE") {
      write((d) => deleteGroup(instance, d, id));
      return { status: 204 };
    }
  }
  throw notFound("Resource not found");
}

const sendScim = (reply: FastifyReply, status: number, body?: unknown) =>
  body === undefined
    ? reply.code(status).send()
    : // A Buffer, so Fastify does not append "; charset=utf-8" to the media type AWS sends bare.
      reply
        .code(status)
        .header("content-type", SCIM_CONTENT_TYPE)
        .send(Buffer.from(JSON.stringify(body)));

export function registerScimRoutes(app: FastifyInstance, options: ScimRouteOptions): void {
  const handler = async (request: FastifyRequest<{ Params: { tenant: string; "*": string } }>, reply: FastifyReply) => {
    const method = request.method;
    try {
      const instance = authenticate(
        options.store.state,
        request.params.tenant,
        request.headers.authorization,
        new Date(),
      );
      const segments = request.params["*"].split("/");
      const verdict = options.traffic.decide(instance.tenantId, instance.settings, {
        isWrite: method !== "GET",
        membershipOps: membershipOperations(method, segments, request.body),
      });
      if (verdict.kind === "throttle") {
        reply.header("retry-after", String(verdict.retryAfter));
        throw new ScimError(429, "Rate exceeded");
      }
      if (verdict.kind === "fail") throw new ScimError(500, "An internal error occurred. Please retry.");
      const outcome = handle(options, instance, method, segments, singleValued(request.query), request.body);
      if (verdict.dropAfterWrite) {
        // The write is committed; the client only sees the connection close, as after a lost response.
        reply.hijack();
        request.raw.socket.destroy();
        return;
      }
      if (outcome.location) reply.header("location", outcome.location);
      return sendScim(reply, outcome.status, outcome.body);
    } catch (err) {
      if (err instanceof ScimError) return sendScim(reply, err.status, scimErrorBody(err.status, err.message));
      // A sandbox bug still answers in AWS's shape, so SCIM clients under test see a 500 they can handle.
      request.log.error(
        { err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) },
        "scim failure",
      );
      return sendScim(reply, 500, scimErrorBody(500, "An internal error occurred."));
    }
  };
  app.route({ method: ["GET", "POST", "PUT", "PATCH", "DELETE"], url: "/:tenant/scim/v2/*", handler });
}
