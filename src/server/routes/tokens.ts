import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { ApiTokenOut, CreatedApiTokenOut, CreateTokenBody } from "../schemas/access.js";
import { errorResponses, IdParams } from "../schemas/common.js";

const tags = ["api tokens"];

/** API tokens over the API, as the CLI offers them: the secret is returned once and only its hash is kept. */
export const tokenRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get(
    "/api-tokens",
    {
      schema: {
        tags,
        summary: "List API tokens (never their secrets)",
        response: { 200: Type.Array(ApiTokenOut), ...errorResponses() },
      },
    },
    async () => runtime.tokens.list(),
  );

  app.post(
    "/api-tokens",
    {
      schema: {
        tags,
        summary: "Create an API token; the response carries the secret, shown this once",
        body: CreateTokenBody,
        response: { 201: CreatedApiTokenOut, ...errorResponses(400, 413) },
      },
    },
    async (request, reply) => {
      const { token, secret } = await runtime.tokens.create(actorOf(request), request.body);
      reply.header("location", `/api/v1/api-tokens/${encodeURIComponent(token.id)}`);
      return reply.status(201).send({ ...token, secret });
    },
  );

  app.delete(
    "/api-tokens/:id",
    {
      schema: {
        tags,
        summary: "Revoke an API token; 409 when already revoked",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await runtime.tokens.revoke(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
