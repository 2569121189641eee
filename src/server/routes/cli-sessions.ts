import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, IdParams, Nullable, Timestamp } from "../schemas/common.js";

const tags = ["cli sessions"];

const CliSessionOut = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    clientId: Type.String(),
    created: Timestamp,
    accessExpiresAt: Timestamp,
    sessionExpiresAt: Timestamp,
    lastUsed: Nullable(Timestamp),
    revokedAt: Nullable(Timestamp),
  },
  { additionalProperties: false, title: "CliSession" },
);

const SessionParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), sessionId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** A person's command-line sign-ins (`rolebridge aws login`): listed, and ended by an administrator. */
export const cliSessionRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get(
    "/users/:id/cli-sessions",
    {
      schema: {
        tags,
        summary: "A person's command-line sign-ins, newest last (never their tokens)",
        params: IdParams,
        response: { 200: Type.Array(CliSessionOut), ...errorResponses(404) },
      },
    },
    async (request) => {
      const user = await runtime.directory.users.get(request.params.id);
      return runtime.deviceAuth.listForUser(user.id);
    },
  );

  app.delete(
    "/users/:id/cli-sessions",
    {
      schema: {
        tags,
        summary: "End every command-line sign-in of a person at once",
        params: IdParams,
        response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const user = await runtime.directory.users.get(request.params.id);
      return { revoked: await runtime.deviceAuth.revokeForUser(actorOf(request), user.id) };
    },
  );

  app.delete(
    "/users/:id/cli-sessions/:sessionId",
    {
      schema: {
        tags,
        summary: "End one command-line sign-in; 409 when already ended",
        params: SessionParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const user = await runtime.directory.users.get(request.params.id);
      await runtime.deviceAuth.revokeForUser(actorOf(request), user.id, request.params.sessionId);
      return reply.status(204).send(null);
    },
  );
};
