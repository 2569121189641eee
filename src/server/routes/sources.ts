import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { PRESETS } from "../../core/sources/model.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["sources"];
const Dn = Type.String({ minLength: 3, maxLength: 1024 });
const Filter = Type.String({ minLength: 2, maxLength: 4096 });

const SettingsFields = {
  url: Type.String({ minLength: 8, maxLength: 512, description: "ldap://host:port or ldaps://host:port" }),
  startTls: Type.Optional(Type.Boolean({ description: "upgrade ldap:// with StartTLS" })),
  caBundle: Type.Optional(Type.Union([Type.String({ maxLength: 65_536 }), Type.Null()])),
  bindDn: Dn,
  bindPassword: Type.String({
    minLength: 1,
    maxLength: 1024,
    description: "write-only: sealed at rest, never returned",
  }),
  peopleBase: Dn,
  peopleFilter: Type.Optional(Filter),
  groupsBase: Dn,
  groupsFilter: Type.Optional(Filter),
  preset: Type.Optional(Type.Union(PRESETS.map((p) => Type.Literal(p)))),
  nestedGroups: Type.Optional(Type.Boolean()),
  maxDeactivationShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  passwordSignIn: Type.Optional(Type.Boolean({ description: "people sign in with their directory password" })),
  schedule: Type.Optional(
    Type.Object(
      {
        incrementalMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10080 }), Type.Null()])),
        fullMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 10080 }), Type.Null()])),
      },
      { additionalProperties: false },
    ),
  ),
};

const CreateBody = Type.Object(
  { name: Type.String({ minLength: 2, maxLength: 64 }), ...SettingsFields },
  { additionalProperties: false },
);
const PatchBody = Type.Partial(Type.Object(SettingsFields), { additionalProperties: false });

const SourceOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.Literal("ldap"),
    settings: FreeObject,
    bindPassword: Type.Literal("set"),
    created: Type.String(),
    lastUpdated: Type.String(),
    version: Type.Integer(),
    cursor: Type.Union([Type.String(), Type.Null()]),
    lastFullSync: Type.Union([Type.String(), Type.Null()]),
    lastSync: Type.Union([FreeObject, Type.Null()]),
  },
  { additionalProperties: false, title: "DirectorySource" },
);

const SyncBody = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal("full"), Type.Literal("incremental")])),
    confirmDeactivations: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** /api/v1/sources: directory sources (LDAP, Active Directory) and their syncs. */
export const sourceRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const sources = runtime.sources;

  app.get(
    "/sources",
    { schema: { tags, summary: "Directory sources and their last sync", response: { 200: Type.Array(SourceOut) } } },
    async () => sources.list(),
  );

  app.post(
    "/sources",
    {
      schema: {
        tags,
        summary: "Add an LDAP or Active Directory source (the bind password is sealed and never returned)",
        body: CreateBody,
        response: { 201: SourceOut, ...errorResponses(400, 409, 413) },
      },
    },
    async (request, reply) => {
      const created = await sources.addLdap(actorOf(request), request.body);
      reply.header("location", `/api/v1/sources/${encodeURIComponent(created.id)}`);
      return reply.status(201).send(created);
    },
  );

  app.get(
    "/sources/:id",
    {
      schema: {
        tags,
        summary: "One source (id or name)",
        params: IdParams,
        response: { 200: SourceOut, ...errorResponses(404) },
      },
    },
    async (request) => sources.get(request.params.id),
  );

  app.patch(
    "/sources/:id",
    {
      schema: {
        tags,
        summary: "Change settings; fields left out keep their value",
        params: IdParams,
        body: PatchBody,
        response: { 200: SourceOut, ...errorResponses(400, 404, 413) },
      },
    },
    async (request) => sources.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    "/sources/:id",
    {
      schema: {
        tags,
        summary: "Remove the source; the people and groups it made stay",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await sources.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/sources/:id/sync",
    {
      schema: {
        tags,
        summary:
          "Sync now (full by default). 409 with details.needsConfirmation when it would deactivate more than the safety share; 502 when the directory fails",
        params: IdParams,
        body: Type.Optional(SyncBody),
        response: { 200: FreeObject, ...errorResponses(404, 409, 502) },
      },
    },
    async (request) =>
      sources.sync(actorOf(request), request.params.id, {
        kind: request.body?.kind ?? "full",
        confirmDeactivations: request.body?.confirmDeactivations,
      }),
  );

  app.post(
    "/sources/:id/write-back",
    {
      schema: {
        tags,
        summary:
          "Create the local role groups (aws#… by default) and their members in the directory under `ou`; a dry run unless `apply`",
        params: IdParams,
        body: Type.Object(
          {
            ou: Dn,
            prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            apply: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: FreeObject, ...errorResponses(400, 404, 409, 502) },
      },
    },
    async (request) => {
      const { ou, prefix, apply = false } = request.body;
      const groups = await sources.writeBack(actorOf(request), request.params.id, { ou, prefix, apply });
      return { applied: apply, groups };
    },
  );
};
