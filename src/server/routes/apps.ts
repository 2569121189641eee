import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { createAppWithKey } from "../../core/apps/create.js";
import type { PrincipalType } from "../../core/apps/model.js";
import { acknowledgeUpgradeNotice } from "../../core/apps/upgrade-notices.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { expectedVersion, sendVersioned, setPageLinks } from "../http.js";
import {
  AppActionParams,
  AppOut,
  AssignBody,
  AssignmentOut,
  CreateAppBody,
  ListAppsQuery,
  PrincipalParams,
  toAppOut,
  toAssignmentOut,
  UpdateAppBody,
} from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";
import { appExplainLintRoutes } from "./app-explain-lint.js";
import { appLegacyApiRoutes } from "./app-legacy-api.js";
import { appSigningKeyRoutes } from "./app-signing-keys.js";

const tags = ["apps"];

/** Okta-style /api/v1/apps: AWS apps, their assignments, signing keys, explain, lint and legacy API mode. */
export const appRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const apps = runtime.apps;

  app.get(
    "/apps",
    {
      schema: {
        tags,
        summary: "List apps",
        querystring: ListAppsQuery,
        response: { 200: Type.Array(AppOut), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { limit = 200, after } = request.query;
      const page = await apps.list({ limit, after });
      setPageLinks(runtime, request, reply, page.nextCursor);
      return page.items.map(toAppOut);
    },
  );

  app.post(
    "/apps",
    {
      schema: {
        tags,
        summary: "Create an app; it gets an active SAML signing key at once",
        body: CreateAppBody,
        response: { 201: AppOut, ...errorResponses(400, 409, 413) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { signingKeyBits, ...input } = request.body;
      const created = await createAppWithKey(runtime, actor, input, signingKeyBits ?? 2048);
      reply.header("location", `/api/v1/apps/${encodeURIComponent(created.id)}`);
      return sendVersioned(reply, toAppOut(created), 201);
    },
  );

  app.get(
    "/apps/:id",
    {
      schema: {
        tags,
        summary: "Get an app by id or slug",
        params: IdParams,
        response: { 200: AppOut, ...errorResponses(404) },
      },
    },
    async (request, reply) => sendVersioned(reply, toAppOut(await apps.get(request.params.id))),
  );

  app.post(
    "/apps/:id",
    {
      schema: {
        tags,
        summary: "Change the label or settings (merged, then validated whole); honours If-Match",
        params: IdParams,
        body: UpdateAppBody,
        response: { 200: AppOut, ...errorResponses(400, 404, 412, 413) },
      },
    },
    async (request, reply) =>
      sendVersioned(
        reply,
        toAppOut(await apps.update(actorOf(request), request.params.id, request.body, expectedVersion(request))),
      ),
  );

  app.post(
    "/apps/:id/lifecycle/:action",
    {
      schema: {
        tags,
        summary: "Activate or deactivate (an inactive app signs no one in)",
        params: AppActionParams,
        response: { 200: AppOut, ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const status = request.params.action === "activate" ? "ACTIVE" : "INACTIVE";
      return sendVersioned(reply, toAppOut(await apps.setStatus(actorOf(request), request.params.id, status)));
    },
  );

  app.delete(
    "/apps/:id",
    {
      schema: {
        tags,
        summary: "Delete a deactivated app",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await apps.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/apps/:id/assignments",
    {
      schema: {
        tags,
        summary: "People and groups assigned to the app",
        params: IdParams,
        response: { 200: Type.Array(AssignmentOut), ...errorResponses(404) },
      },
    },
    async (request) => (await apps.assignments(request.params.id)).map(toAssignmentOut),
  );

  for (const [segment, type] of [
    ["users", "user"],
    ["groups", "group"],
  ] as const) {
    app.put(
      `/apps/:id/${segment}/:principalId`,
      {
        schema: {
          tags,
          summary: `Assign a ${type} (with SAML User Roles in profile.samlRoles); replaces an existing assignment`,
          params: PrincipalParams,
          body: AssignBody,
          response: { 200: AssignmentOut, ...errorResponses(400, 404, 413) },
        },
      },
      async (request) =>
        toAssignmentOut(
          await apps.assign(
            actorOf(request),
            request.params.id,
            type as PrincipalType,
            request.params.principalId,
            request.body.profile ?? {},
            { priority: request.body.priority },
          ),
        ),
    );
    app.delete(
      `/apps/:id/${segment}/:principalId`,
      {
        schema: {
          tags,
          summary: `Unassign a ${type}`,
          params: PrincipalParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await apps.unassign(actorOf(request), request.params.id, type as PrincipalType, request.params.principalId);
        return reply.status(204).send(null);
      },
    );
  }

  app.post(
    "/apps/:id/upgrade-notices/:noticeId/acknowledge",
    {
      schema: {
        tags,
        summary: "Acknowledge an upgrade notice listed by lint (who an upgrade's changed rule gave or took roles)",
        params: Type.Object({ id: Type.String(), noticeId: Type.String() }),
        response: { 200: FreeObject, ...errorResponses(404, 409) },
      },
    },
    async (request) =>
      acknowledgeUpgradeNotice(
        runtime.store,
        runtime.clock,
        actorOf(request),
        await apps.get(request.params.id),
        request.params.noticeId,
      ),
  );

  await app.register(appSigningKeyRoutes, { runtime });
  await app.register(appExplainLintRoutes, { runtime });
  await app.register(appLegacyApiRoutes, { runtime });
};
