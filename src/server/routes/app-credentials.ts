import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { lintAwsApp } from "../../core/apps/lint.js";
import { DomainError } from "../../core/errors.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { sendVersioned } from "../http.js";
import {
  AppOut,
  AwsCredentialsBody,
  ExplainQuery,
  KeyActionParams,
  KeyOut,
  NewKeyBody,
  PreviewBody,
  toAppOut,
  toKeyOut,
} from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["apps"];

/** Per-app signing keys, explain and lint, and legacy API mode's AWS credentials and role lists. */
export const appCredentialRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const apps = runtime.apps;

  app.get(
    "/apps/:id/credentials/keys",
    {
      schema: {
        tags,
        summary: "SAML signing keys (certificates only)",
        params: IdParams,
        response: { 200: Type.Array(KeyOut), ...errorResponses(404) },
      },
    },
    async (request) => (await runtime.signingKeys.list(await apps.get(request.params.id))).map(toKeyOut),
  );

  app.post(
    "/apps/:id/credentials/keys",
    {
      schema: {
        tags,
        summary: "Add the next signing key (published in metadata, not yet signing)",
        params: IdParams,
        body: NewKeyBody,
        response: { 201: KeyOut, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const target = await apps.get(request.params.id);
      const key = await runtime.signingKeys.create(actorOf(request), target, "next", request.body.bits ?? 2048);
      return reply.status(201).send(toKeyOut(key));
    },
  );

  app.post(
    "/apps/:id/credentials/keys/:keyId/lifecycle/:action",
    {
      schema: {
        tags,
        summary: "Activate the next key, or retire a previous one",
        params: KeyActionParams,
        response: { 200: KeyOut, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const target = await apps.get(request.params.id);
      if (request.params.action === "retire")
        return toKeyOut(await runtime.signingKeys.retire(actor, target, request.params.keyId));
      const next = (await runtime.signingKeys.list(target)).find((k) => k.id === request.params.keyId);
      if (next?.state !== "next")
        throw new DomainError("conflict", `key ${request.params.keyId} is not this app's next key`);
      return toKeyOut(await runtime.signingKeys.activateNext(actor, target));
    },
  );

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
        summary: "Legacy API mode: role lists per account with the last refresh's status",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404, 409) },
      },
    },
    async (request) => runtime.legacyApi.roleLists(request.params.id),
  );
};
