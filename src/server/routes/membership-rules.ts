import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, IdParams, Timestamp } from "../schemas/common.js";

const tags = ["groups"];
const GroupId = Type.String({ minLength: 1, maxLength: 64 });

const RuleOut = Type.Object(
  {
    id: Type.String(),
    fromGroupId: Type.String(),
    toGroupId: Type.String(),
    created: Timestamp,
    createdBy: Type.String(),
  },
  { additionalProperties: false, title: "MembershipRule" },
);

/** /api/v1/membership-rules: "members of group G are members of group R" (Okta's group rules). */
export const membershipRuleRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const rules = runtime.directory.rules;

  app.get(
    "/membership-rules",
    { schema: { tags, summary: "Every membership rule, oldest first", response: { 200: Type.Array(RuleOut) } } },
    async () => rules.list(),
  );

  app.get(
    "/membership-rules/:id",
    {
      schema: {
        tags,
        summary: "One membership rule",
        params: IdParams,
        response: { 200: RuleOut, ...errorResponses(404) },
      },
    },
    async (request) => rules.get(request.params.id),
  );

  app.post(
    "/membership-rules",
    {
      schema: {
        tags,
        summary:
          "Make every member of one group (now and later) a member of another, in the same transaction as each change",
        body: Type.Object({ fromGroupId: GroupId, toGroupId: GroupId }, { additionalProperties: false }),
        response: {
          201: Type.Object({ ...RuleOut.properties, joined: Type.Integer() }, { additionalProperties: false }),
          ...errorResponses(400, 409),
        },
      },
    },
    async (request, reply) => {
      const created = await rules.create(actorOf(request), request.body.fromGroupId, request.body.toGroupId);
      return reply.status(201).send(created);
    },
  );

  app.delete(
    "/membership-rules/:id",
    {
      schema: {
        tags,
        summary: "Delete a rule; people only it made members of the target group leave that group",
        params: IdParams,
        response: { 200: Type.Object({ left: Type.Integer() }), ...errorResponses(404) },
      },
    },
    async (request) => rules.delete(actorOf(request), request.params.id),
  );
};
