import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { policyDiff } from "../../core/policy/diff.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { AwsCredentialsBody } from "../schemas/apps.js";
import { errorResponses, FreeObject, IdParams } from "../schemas/common.js";

const tags = ["apps"];

const Finding = Type.Object(
  {
    severity: Type.Union([Type.Literal("high"), Type.Literal("medium"), Type.Literal("low"), Type.Literal("info")]),
    code: Type.String(),
    message: Type.String(),
    policy: Type.Optional(Type.String()),
    statement: Type.Optional(Type.Integer()),
    path: Type.Optional(Type.String()),
    line: Type.Optional(Type.Integer()),
    column: Type.Optional(Type.Integer()),
    suggestion: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const AuditBody = Type.Object(
  {
    /** A policy document (its JSON text) to audit instead of what AWS has. */
    document: Type.Optional(Type.String({ minLength: 1, maxLength: 131072 })),
    /** An IAM user or role to audit instead of the keys' own user. */
    principalArn: Type.Optional(Type.String({ minLength: 20, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

/** The legacy API-mode principal's IAM policy: audit, least-privilege fix proven by simulation, rollback. */
export const policyRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.post(
    "/apps/:id/aws/policy/audit",
    {
      schema: {
        tags,
        summary: "Audit the API-mode user's policies (or a document), its keys and the cross-account roles' trust",
        params: IdParams,
        body: Type.Optional(AuditBody),
        response: {
          200: Type.Object({
            app: Type.String(),
            principalArn: Type.String(),
            findings: Type.Array(Finding),
            proposed: FreeObject,
          }),
          ...errorResponses(400, 404, 409, 502),
        },
      },
    },
    async (request) => {
      const body = request.body ?? {};
      return runtime.policy.audit(request.params.id, {
        ...(body.document ? { file: { name: "document", text: body.document } } : {}),
        ...(body.principalArn ? { principalArn: body.principalArn } : {}),
      });
    },
  );

  app.post(
    "/apps/:id/aws/policy/fix",
    {
      schema: {
        tags,
        summary: "Write the least-privilege policy (proven by simulation), verify, restore the old one on failure",
        params: IdParams,
        body: Type.Optional(Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
        response: { 200: FreeObject, ...errorResponses(400, 404, 409, 502) },
      },
    },
    async (request) => {
      const report = await runtime.policy.fix(actorOf(request), request.params.id, {
        dryRun: request.body?.dryRun === true,
      });
      return { ...report, diff: policyDiff(report.before, report.after) };
    },
  );

  app.post(
    "/apps/:id/aws/policy/rollback",
    {
      schema: {
        tags,
        summary: "Restore the policy saved by the last fix",
        params: IdParams,
        response: { 200: FreeObject, ...errorResponses(404, 409, 502) },
      },
    },
    async (request) => {
      const { app: slug, backup } = await runtime.policy.rollback(actorOf(request), request.params.id);
      return { app: slug, backupId: backup.id, target: backup.target, status: backup.status };
    },
  );

  app.put(
    "/apps/:id/aws/policy/admin-credentials",
    {
      schema: {
        tags,
        summary: "IAM administrator keys for reading and writing the policy (sealed, never returned)",
        params: IdParams,
        body: AwsCredentialsBody,
        response: { 204: Type.Null(), ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      await runtime.policy.setAdminCredentials(actorOf(request), request.params.id, request.body);
      return reply.status(204).send(null);
    },
  );
};
