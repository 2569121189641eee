import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { expectedVersion, sendVersioned, setPageLinks } from "../http.js";
import { errorResponses, IdParams } from "../schemas/common.js";
import {
  CreateGroupBody,
  GroupOut,
  ListGroupsQuery,
  MemberParams,
  MembersQuery,
  ReplaceGroupBody,
  toGroupOut,
} from "../schemas/groups.js";
import { UserOut } from "../schemas/users.js";

const tags = ["groups"];

/** Okta-style /api/v1/groups, with our `source` and `externalId`; names are unique per source. */
export const groupRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const groups = runtime.directory.groups;

  app.get(
    "/groups",
    {
      schema: {
        tags,
        summary: "List groups, oldest first; follow the Link rel=next header for more",
        querystring: ListGroupsQuery,
        response: { 200: Type.Array(GroupOut), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { limit = 200, after, name, source, q } = request.query;
      const page = await groups.list({ name, source, q }, { limit, after });
      setPageLinks(runtime, request, reply, page.nextCursor);
      return page.items.map(toGroupOut);
    },
  );

  app.post(
    "/groups",
    {
      schema: {
        tags,
        summary: "Create a group (source defaults to local)",
        body: CreateGroupBody,
        response: { 201: GroupOut, ...errorResponses(400, 409, 413) },
      },
    },
    async (request, reply) => {
      const { profile, source, externalId } = request.body;
      const group = await groups.create(actorOf(request), {
        name: profile.name,
        description: profile.description,
        source,
        externalId,
      });
      reply.header("location", `/api/v1/groups/${encodeURIComponent(group.id)}`);
      return sendVersioned(reply, toGroupOut(group), 201);
    },
  );

  app.get(
    "/groups/:id",
    {
      schema: { tags, summary: "Get a group", params: IdParams, response: { 200: GroupOut, ...errorResponses(404) } },
    },
    async (request, reply) => sendVersioned(reply, toGroupOut(await groups.get(request.params.id))),
  );

  app.put(
    "/groups/:id",
    {
      schema: {
        tags,
        summary: "Replace the name, description and external id (the source never changes); honours If-Match",
        params: IdParams,
        body: ReplaceGroupBody,
        response: { 200: GroupOut, ...errorResponses(400, 404, 409, 412, 413) },
      },
    },
    async (request, reply) => {
      const { profile, externalId } = request.body;
      const group = await groups.update(
        actorOf(request),
        request.params.id,
        { name: profile.name, description: profile.description ?? null, externalId: externalId ?? null },
        expectedVersion(request),
      );
      return sendVersioned(reply, toGroupOut(group));
    },
  );

  app.delete(
    "/groups/:id",
    {
      schema: {
        tags,
        summary: "Delete a group and its memberships",
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await groups.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/groups/:id/users",
    {
      schema: {
        tags,
        summary: "Members of a group; follow the Link rel=next header for more",
        params: IdParams,
        querystring: MembersQuery,
        response: { 200: Type.Array(UserOut), ...errorResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { limit = 200, after } = request.query;
      const page = await groups.members(request.params.id, { limit, after });
      setPageLinks(runtime, request, reply, page.nextCursor);
      return page.items;
    },
  );

  app.put(
    "/groups/:id/users/:userId",
    {
      schema: {
        tags,
        summary: "Add a user (by id or login) to a group; adding an existing member is a no-op",
        params: MemberParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await groups.addMember(actorOf(request), request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    "/groups/:id/users/:userId",
    {
      schema: {
        tags,
        summary: "Remove a user from a group; 404 when not a member",
        params: MemberParams,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await groups.removeMember(actorOf(request), request.params.id, request.params.userId);
      return reply.status(204).send(null);
    },
  );
};
