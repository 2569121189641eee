import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import { DomainError } from "../../core/errors.js";
import { DEFAULT_NAME_TEMPLATE, migrationServices, type PlanOptions } from "../../core/migration/index.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, FreeObject } from "../schemas/common.js";
import { MigrationProgressBoard, MigrationProgressOut } from "./migration-progress.js";
import { sendReport } from "./migration-report-http.js";

const tags = ["migrations"];

const From = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 128, description: "the legacy API-mode app (slug or id)" }),
    offline: Type.Optional(Type.Boolean({ description: "do not read AWS; use the last refresh's role lists" })),
  },
  { additionalProperties: false },
);

const Migration = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 128 }),
    to: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$", description: "the new group-mapping app's slug" }),
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 255, default: DEFAULT_NAME_TEMPLATE })),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 128, default: "local" })),
    groupFilter: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    static: Type.Optional(Type.Boolean({ description: "copy today's members instead of membership rules" })),
    providerName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    offline: Type.Optional(Type.Boolean()),
    skipAws: Type.Optional(
      Type.Boolean({ description: "apply: leave AWS alone (SAML set up with the CloudFormation templates)" }),
    ),
    adminRole: Type.Optional(
      Type.String({
        pattern: "^[\\w+=,.@-]{1,64}$",
        description: "role assumed in each account; default: the legacy app's cross-account role",
      }),
    ),
  },
  { additionalProperties: false },
);
type MigrationBody = Static<typeof Migration>;

const Proof = Type.Object(
  { people: Type.Integer(), identical: Type.Integer(), differences: Type.Array(FreeObject) },
  { additionalProperties: false, title: "MigrationProof" },
);

const ReportFormat = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal("md"), Type.Literal("html")])) },
  { additionalProperties: false },
);

const optionsOf = (b: MigrationBody): PlanOptions => ({
  to: b.to,
  template: b.template ?? DEFAULT_NAME_TEMPLATE,
  source: b.source ?? "local",
  groupFilter: b.groupFilter,
  mode: b.static ? "static" : "rules",
  providerName: b.providerName,
});

/**
 * /api/v1/migrations: the migration toolkit's steps for the admin console, the same core calls and the same
 * errors as `rolebridge migrate`. Apply, rollback and cut-over change the directory; the POST is the consent.
 */
export const migrationRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  const { reader, writer, awsStepsWired } = migrationServices(runtime);
  const board = new MigrationProgressBoard();
  /** Runs a writing step with its progress on the board, closed however the run ends. */
  const tracked = async <T>(
    verb: "apply" | "rollback" | "cutover",
    from: string,
    to: string,
    run: (progress: ReturnType<typeof board.track>) => Promise<T>,
  ) => {
    const progress = board.track(from, to, verb);
    try {
      return await run(progress);
    } finally {
      progress.close();
    }
  };
  const post = (path: string, summary: string, response: Record<number, unknown>) => ({
    path,
    schema: { tags, summary, body: Migration, response: { ...response, ...errorResponses(400, 404, 409, 502) } },
  });

  app.post(
    "/migrations/inventory",
    {
      schema: {
        tags,
        summary: "The legacy app's estate, and each account as AWS shows it",
        body: From,
        response: { 200: FreeObject, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => reader.inventory(request.body.from, { offline: request.body.offline }),
  );

  const plan = post(
    "/migrations/plan",
    "Role groups, memberships, rules, target app and every finding; writes nothing",
    { 200: FreeObject },
  );
  app.post(plan.path, { schema: plan.schema }, async (request) => {
    const { plan: result } = await reader.plan(request.body.from, optionsOf(request.body), {
      offline: request.body.offline,
    });
    return result;
  });

  const verify = post(
    "/migrations/verify",
    "Every person keeps exactly their (provider, role) pairs: against the plan, or live after apply",
    { 200: Proof },
  );
  app.post(verify.path, { schema: verify.schema }, async (request) => {
    const { result } = await reader.verify(request.body.from, optionsOf(request.body), {
      offline: request.body.offline,
    });
    return result;
  });

  const apply = post("/migrations/apply", "Apply the plan, journaled step by step; again to resume", {
    200: FreeObject,
  });
  app.post(apply.path, { schema: apply.schema }, async (request) =>
    tracked("apply", request.body.from, request.body.to, (progress) =>
      writer.apply(actorOf(request), request.body.from, optionsOf(request.body), {
        offline: request.body.offline,
        progress,
        aws: { skip: request.body.skipAws, adminRole: request.body.adminRole },
      }),
    ),
  );

  const rollback = post(
    "/migrations/rollback",
    "Before cut-over: remove what apply created; after: reactivate the legacy app",
    { 200: FreeObject },
  );
  app.post(rollback.path, { schema: rollback.schema }, async (request) =>
    tracked("rollback", request.body.from, request.body.to, (progress) =>
      writer.rollback(actorOf(request), request.body.from, request.body.to, {
        progress,
        aws: { adminRole: request.body.adminRole },
      }),
    ),
  );

  const cutover = post(
    "/migrations/cutover",
    "Deactivate the legacy app, only when the proof against live state is clean",
    { 200: FreeObject },
  );
  app.post(cutover.path, { schema: cutover.schema }, async (request) =>
    tracked("cutover", request.body.from, request.body.to, (progress) =>
      writer.cutover(actorOf(request), request.body.from, optionsOf(request.body), {
        progress,
        aws: { skip: request.body.skipAws, adminRole: request.body.adminRole },
      }),
    ),
  );

  app.get(
    "/migrations/progress",
    {
      schema: {
        tags,
        summary: "The latest apply, rollback or cut-over of (from, to) on this node, step by step, for polling",
        querystring: Type.Object(
          { from: Type.String({ minLength: 1, maxLength: 128 }), to: Type.String({ minLength: 1, maxLength: 128 }) },
          { additionalProperties: false },
        ),
        response: { 200: MigrationProgressOut, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const state = board.get(request.query.from, request.query.to);
      if (!state)
        throw new DomainError("not_found", "no apply, rollback or cut-over of this migration ran on this node");
      return state;
    },
  );

  app.post(
    "/migrations/report",
    {
      schema: {
        tags,
        summary: "The migration report: Markdown, or one self-contained HTML page",
        body: Migration,
        querystring: ReportFormat,
        response: { 200: Type.String(), ...errorResponses(400, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const input = await reader.report(request.body.from, optionsOf(request.body), {
        offline: request.body.offline,
        awsStepsWired,
      });
      return sendReport(reply, input, request.query.format, request.body);
    },
  );

  // The same report by GET, so the console can link to it (open the HTML page, download the Markdown).
  app.get(
    "/migrations/report",
    {
      schema: {
        tags,
        summary: "The migration report for a link: the POST's fields as query parameters, plus format",
        querystring: Type.Composite([Migration, ReportFormat], { additionalProperties: false }),
        response: { 200: Type.String(), ...errorResponses(400, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const { format, ...body } = request.query;
      const input = await reader.report(body.from, optionsOf(body), { offline: body.offline, awsStepsWired });
      return sendReport(reply, input, format, body);
    },
  );
};
