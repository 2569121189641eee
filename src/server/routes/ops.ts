import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Registry } from "prom-client";
import { safeEqual } from "../../core/crypto/tokens.js";
import type { Runtime } from "../../runtime.js";
import { unauthorized } from "../errors.js";
import type { Readiness } from "../readiness.js";

const tags = ["operations"];
/** Ops endpoints need no credentials; `security: []` says so in the OpenAPI document. */
const open = { tags, security: [] };
/** A database that does not answer (rather than refusing) must not hang the probe. */
const READINESS_TIMEOUT_MS = 3000;
const Health = Type.Object(
  {
    status: Type.Union([Type.Literal("ok"), Type.Literal("unavailable")]),
    checks: Type.Optional(Type.Object({ store: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/** Liveness, readiness, metrics and the OpenAPI document; unauthenticated, except /metrics with a metricsToken. */
export const opsRoutes: FastifyPluginAsyncTypebox<{
  runtime: Runtime;
  registry: Registry;
  readiness: Readiness;
}> = async (app, { runtime, registry, readiness }) => {
  app.get(
    "/healthz",
    {
      config: { public: true },
      schema: { ...open, summary: "Liveness: the process answers", response: { 200: Health } },
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        ...open,
        summary: "Readiness: the database answers and the node is not shutting down",
        response: { 200: Health, 503: Health },
      },
    },
    async (request, reply) => {
      // Shutting down: say so first, so the load balancer stops sending before the node stops serving.
      if (readiness.draining) return reply.status(503).send({ status: "unavailable", checks: { store: "draining" } });
      try {
        await withTimeout(runtime.store.ping(), READINESS_TIMEOUT_MS);
        return { status: "ok" as const, checks: { store: "ok" } };
      } catch (err) {
        // The cause goes to the log, not to an unauthenticated caller.
        request.log.warn({ err }, "readiness check failed: store unreachable");
        return reply.status(503).send({ status: "unavailable", checks: { store: "unreachable" } });
      }
    },
  );

  app.get(
    "/metrics",
    {
      config: { public: true },
      schema: {
        ...open,
        summary: "Prometheus metrics (text exposition format); with metricsToken set, only for that bearer token",
      },
    },
    async (request, reply) => {
      const expected = runtime.config.metricsToken;
      if (expected) {
        const sent = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
        if (!sent || !safeEqual(sent, expected)) throw unauthorized("send Authorization: Bearer <metrics token>");
      }
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );

  const openapi = async () => app.swagger();
  const docs = { config: { public: true }, schema: { hide: true } };
  app.get("/api/docs", docs, openapi);
  app.get("/api/docs/openapi.json", docs, openapi);
};

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
