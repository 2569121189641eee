import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Runtime } from "../../runtime.js";
import { setPageLinks } from "../http.js";
import { ListLogsQuery, LogEventOut } from "../schemas/access.js";
import { errorResponses } from "../schemas/common.js";

/** The system log at Okta's path: every admin change, newest first. */
export const logRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get(
    "/logs",
    {
      schema: {
        tags: ["system log"],
        summary: "System log events, newest first; follow the Link rel=next header for older ones",
        querystring: ListLogsQuery,
        response: { 200: Type.Array(LogEventOut), ...errorResponses(400) },
      },
    },
    async (request, reply) => {
      const { limit = 100, after, action, target, since } = request.query;
      // Stored timestamps are UTC ISO strings compared as text, so normalise offsets like +02:00.
      const sinceUtc = since === undefined ? undefined : new Date(since).toISOString();
      const page = await runtime.store.log.list({ action, targetId: target, since: sinceUtc }, { limit, after });
      setPageLinks(runtime, request, reply, page.nextCursor);
      return page.items;
    },
  );
};
