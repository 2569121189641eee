import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { UserProfile } from "../../core/directory/model.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { expectedVersion, sendVersioned, setPageLinks } from "../http.js";
import { errorResponses, Nullable, Timestamp } from "../schemas/common.js";
import { GroupOut, toGroupOut } from "../schemas/groups.js";
import {
  CreateUserBody,
  CreateUserQuery,
  FullUpdateBody,
  LifecycleParams,
  ListUsersQuery,
  PartialUpdateBody,
  SetPasswordBody,
  UserOut,
  UserParams,
} from "../schemas/users.js";

const tags = ["users"];
const versioned = { 200: UserOut, ...errorResponses(400, 404, 409, 412) };

/** Okta-style /api/v1/users: list, create, read by id or login, update, lifecycle, delete. */
export const userRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const users = runtime.directory.users;

  app.get(
    "/users",
    {
      schema: {
        tags,
        summary: "List users, oldest first; follow the Link rel=next header for more",
        querystring: ListUsersQuery,
        response: { 200: Type.Array(UserOut), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { limit = 200, after, login, status, q } = request.query;
      const page = await users.list({ login, status, q }, { limit, after });
      setPageLinks(runtime, request, reply, page.nextCursor);
      return page.items;
    },
  );

  app.post(
    "/users",
    {
      schema: {
        tags,
        summary: "Create a user (ACTIVE, or STAGED with ?activate=false)",
        querystring: CreateUserQuery,
        body: CreateUserBody,
        response: { 201: UserOut, ...errorResponses(400, 409, 413) },
      },
    },
    async (request, reply) => {
      const { profile, credentials } = request.body;
      const user = await users.create(actorOf(request), {
        profile: fullProfile(profile),
        status: request.query.activate === false ? "STAGED" : "ACTIVE",
        password: credentials?.password.value,
      });
      reply.header("location", `/api/v1/users/${encodeURIComponent(user.id)}`);
      return sendVersioned(reply, user, 201);
    },
  );

  app.get(
    "/users/:id",
    {
      schema: {
        tags,
        summary: "Get a user by id or login",
        params: UserParams,
        response: { 200: UserOut, ...errorResponses(404) },
      },
    },
    async (request, reply) => sendVersioned(reply, await users.get(request.params.id)),
  );

  app.post(
    "/users/:id",
    {
      schema: {
        tags,
        summary: "Update some profile fields (the others keep their values); honours If-Match",
        params: UserParams,
        body: PartialUpdateBody,
        response: versioned,
      },
    },
    async (request, reply) => {
      const user = await users.updateProfile(
        actorOf(request),
        request.params.id,
        request.body.profile,
        expectedVersion(request),
      );
      return sendVersioned(reply, user);
    },
  );

  app.put(
    "/users/:id",
    {
      schema: {
        tags,
        summary: "Replace the profile (omitted optional fields become null); honours If-Match",
        params: UserParams,
        body: FullUpdateBody,
        response: versioned,
      },
    },
    async (request, reply) => {
      const user = await users.updateProfile(
        actorOf(request),
        request.params.id,
        fullProfile(request.body.profile),
        expectedVersion(request),
      );
      return sendVersioned(reply, user);
    },
  );

  app.get(
    "/users/:id/lifecycle/lock",
    {
      schema: {
        tags,
        summary: "Whether failed sign-ins lock this person out now (at one address or everywhere), and until when",
        params: UserParams,
        response: {
          200: Type.Object(
            { locked: Type.Boolean(), until: Nullable(Timestamp), everywhere: Type.Boolean() },
            { additionalProperties: false, title: "SignInLock" },
          ),
          ...errorResponses(404),
        },
      },
    },
    async (request) => runtime.signIn.lockOf((await users.get(request.params.id)).profile.login),
  );

  app.post(
    "/users/:id/lifecycle/unlock",
    {
      schema: {
        tags,
        summary: "Lift the sign-in throttle kept for this person at every address (Okta's unlock)",
        params: UserParams,
        response: { 200: Type.Object({ cleared: Type.Integer() }), ...errorResponses(404) },
      },
    },
    async (request) => {
      const user = await users.get(request.params.id);
      return runtime.signIn.unlock(actorOf(request), user.profile.login);
    },
  );

  app.post(
    "/users/:id/lifecycle/:action",
    {
      schema: {
        tags,
        summary: "activate, deactivate, suspend or unsuspend; 409 when the current status does not allow it",
        params: LifecycleParams,
        response: versioned,
      },
    },
    async (request, reply) => {
      const { id, action } = request.params;
      const user = await users.transition(actorOf(request), id, action, expectedVersion(request));
      return sendVersioned(reply, user);
    },
  );

  app.post(
    "/users/:id/credentials/password",
    {
      schema: {
        tags,
        summary: "Set the user's password; ends the user's sessions",
        params: UserParams,
        body: SetPasswordBody,
        response: versioned,
      },
    },
    async (request, reply) => {
      const user = await users.setPassword(actorOf(request), request.params.id, request.body.password.value);
      return sendVersioned(reply, user);
    },
  );

  app.delete(
    "/users/:id",
    {
      schema: {
        tags,
        summary: "Delete a DEPROVISIONED user (deactivate first)",
        params: UserParams,
        response: { 204: Type.Null(), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await users.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/users/:id/groups",
    {
      schema: {
        tags,
        summary: "The groups a user belongs to",
        params: UserParams,
        response: { 200: Type.Array(GroupOut), ...errorResponses(404) },
      },
    },
    async (request) => (await users.groups(request.params.id)).map(toGroupOut),
  );
};

function fullProfile(p: {
  login: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  displayName?: string | null;
}): UserProfile {
  return {
    login: p.login,
    email: p.email,
    firstName: p.firstName ?? null,
    lastName: p.lastName ?? null,
    displayName: p.displayName ?? null,
  };
}
