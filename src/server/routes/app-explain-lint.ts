import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { lintAwsApp } from "../../core/apps/lint.js";
import type { Runtime } from "../../runtime.js";
import { ExplainQuery, PreviewBody } from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["apps"];

/** Why a user gets their AWS roles from an app (what sign-in decides), and what the app's settings miss. */
export const appExplainLintRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const apps = runtime.apps;

  app.get(
    "/apps/:id/explain",
    {
      schema: {
        tags,
        summary: "Which AWS roles a user gets from this app, and why (what sign-in uses)",
        params: IdParams,
        querystring: ExplainQuery,
        response: { 200: FreeObject, ...errorResponses(400, 404) },
      },
    },
    async (request) => apps.explain(request.params.id, await runtime.directory.users.get(request.query.user)),
  );

  app.post(
    "/apps/:id/explain",
    {
      schema: {
        tags,
        summary:
          "Preview: the roles a user would get with these settings (merged and validated as an update, not saved)",
        params: IdParams,
        body: PreviewBody,
        response: { 200: FreeObject, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const { user, settings } = request.body;
      return apps.explain(request.params.id, await runtime.directory.users.get(user), settings);
    },
  );

  app.get(
    "/apps/:id/lint",
    {
      schema: {
        tags,
        summary: "Role groups the Group Filter misses; users near AWS's SAML size limit",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404) },
      },
    },
    async (request) => lintAwsApp(runtime.store, await apps.get(request.params.id)),
  );
};
