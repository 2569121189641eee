import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { sendVersioned } from "../http.js";
import { AppOut, AwsCredentialsBody, toAppOut } from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["apps"];

/** Legacy API mode: the IAM user's access key, Test API Credentials, Refresh Application Data, role lists. */
export const appLegacyApiRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.put(
    "/apps/:id/credentials/aws",
    {
      schema: {
        tags,
        summary: "Legacy API mode: set the IAM user's access key (the secret is sealed, never returned)",
        params: IdParams,
        body: AwsCredentialsBody,
        response: { 200: AppOut, ...errorResponses(400, 404, 413) },
      },
    },
    async (request, reply) =>
      sendVersioned(
        reply,
        toAppOut(await runtime.legacyApi.setCredentials(actorOf(request), request.params.id, request.body)),
      ),
  );

  app.post(
    "/apps/:id/aws/test",
    {
      schema: {
        tags,
        summary: "Legacy API mode: Test API Credentials",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404, 409) },
      },
    },
    async (request) => runtime.legacyApi.testCredentials(request.params.id),
  );

  app.post(
    "/apps/:id/aws/refresh",
    {
      schema: {
        tags,
        summary: "Legacy API mode: Refresh Application Data (role lists of every connected account)",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404, 409) },
      },
    },
    async (request) => runtime.legacyApi.refresh(actorOf(request), request.params.id),
  );

  app.get(
    "/apps/:id/aws/roles",
    {
      schema: {
        tags,
        summary:
          "Legacy API mode: role lists per account with the last refresh's status; roles no SAML provider can assume only with all=true",
        params: IdParams,
        querystring: Type.Object(
          { all: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: { 200: FreeObject, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => runtime.legacyApi.roleLists(request.params.id, { all: request.query.all ?? false }),
  );
};
