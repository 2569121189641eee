import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { AppOut, toAppOut } from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["provisioning"];

/** SCIM provisioning of an app: API token (write-only), Test API Credentials, status, sync now. */
export const provisioningRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.put(
    "/apps/:id/provisioning/token",
    {
      schema: {
        tags,
        summary: "Set the SCIM API token (sealed at rest, never returned)",
        params: IdParams,
        body: Type.Object({ token: Type.String({ minLength: 8, maxLength: 4096 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 404, 409, 413) },
      },
    },
    async (request, reply) => {
      await runtime.provisioning.setToken(actorOf(request), request.params.id, request.body.token);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/apps/:id/provisioning/:switch",
    {
      schema: {
        tags,
        summary: "Enable API integration (a full sync is queued) or disable it (nothing is sent; dry runs work)",
        params: Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 200 }),
            switch: Type.Union([Type.Literal("enable"), Type.Literal("disable")]),
          },
          { additionalProperties: false },
        ),
        response: { 200: AppOut, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { id, switch: to } = request.params;
      const actor = actorOf(request);
      return toAppOut(
        to === "enable" ? await runtime.provisioning.enable(actor, id) : await runtime.provisioning.disable(actor, id),
      );
    },
  );

  app.post(
    "/apps/:id/provisioning/test",
    {
      schema: {
        tags,
        summary: "Test API Credentials",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404, 409) },
      },
    },
    async (request) => runtime.provisioning.testCredentials(request.params.id),
  );

  app.get(
    "/apps/:id/provisioning/status",
    {
      schema: {
        tags,
        summary: "Per provisioned person and pushed group: remote id, status, last error",
        params: IdParams,
        response: { 200: Type.Array(FreeObject), ...errorResponses(404, 409) },
      },
    },
    async (request) => runtime.provisioning.status(request.params.id),
  );

  app.post(
    "/apps/:id/provisioning/sync",
    {
      schema: {
        tags,
        summary: "Full reconciliation now; with dryRun=true only the planned changes (502 when the target fails)",
        params: IdParams,
        querystring: Type.Object(
          { dryRun: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: { 200: FreeObject, ...errorResponses(400, 404, 409, 502) },
      },
    },
    async (request) =>
      runtime.provisioning.sync(actorOf(request), request.params.id, { dryRun: request.query.dryRun ?? false }),
  );
};
