import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { parseLinkTtl } from "../../core/access/activation.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, Timestamp } from "../schemas/common.js";
import { UserParams } from "../schemas/users.js";

/** Issue 16: an admin issues a person's one-time activation (or reset) link; the person uses it on the portal. */
export const activationLinkRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.post(
    "/users/:id/activation-link",
    {
      schema: {
        tags: ["users"],
        summary: "Issue a one-time activation or reset link (the URL is shown once; a new link revokes the old)",
        params: UserParams,
        body: Type.Optional(
          Type.Object(
            {
              reset: Type.Optional(Type.Boolean({ description: "a reset link, for a person who has a password" })),
              expires: Type.Optional(
                Type.String({ maxLength: 10, description: "how long it lasts: 30m, 72h (default), 7d; 5m to 30d" }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Object(
            { url: Type.String(), expiresAt: Timestamp, purpose: Type.String(), userId: Type.String() },
            { additionalProperties: false },
          ),
          ...errorResponses(400, 404, 409),
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      const issued = await runtime.activation.issue(actorOf(request), request.params.id, {
        reset: body.reset ?? false,
        ...(body.expires !== undefined ? { ttlMs: parseLinkTtl(body.expires) } : {}),
      });
      return { url: issued.url, expiresAt: issued.expiresAt, purpose: issued.purpose, userId: issued.userId };
    },
  );
};
