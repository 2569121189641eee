import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { DomainError } from "../../core/errors.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { KeyActionParams, KeyOut, NewKeyBody, toKeyOut } from "../schemas/apps.js";
import { errorResponses, IdParams } from "../schemas/common.js";

const tags = ["apps"];

/** An app's SAML signing keys: list, add the next, activate it, retire the previous. */
export const appSigningKeyRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
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
};
