import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { validationFailed } from "../../core/errors.js";
import { type ImportFiles, importDirectory } from "../../core/import/index.js";
import type { Runtime } from "../../runtime.js";
import { actorOf } from "../auth.js";
import { errorResponses, FreeObject } from "../schemas/common.js";

const Csv = (what: string) =>
  Type.Optional(Type.String({ minLength: 1, description: `The ${what} CSV file's text (see docs/import.md)` }));

const ImportBody = Type.Object(
  {
    users: Csv("users"),
    groups: Csv("groups"),
    memberships: Csv("memberships"),
    partial: Type.Optional(Type.Boolean({ description: "Write the good rows and skip the bad ones" })),
    dryRun: Type.Optional(Type.Boolean({ description: "Check and report only: nothing is written or logged" })),
    names: Type.Optional(
      Type.Object(
        {
          users: Type.Optional(Type.String({ maxLength: 200 })),
          groups: Type.Optional(Type.String({ maxLength: 200 })),
          memberships: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false, description: "File names to show in the report's errors" },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * CSV import of users, groups and memberships, as `rolebridge import` does it, for files small enough for
 * a request body (the server's body limit); larger ones go through the CLI. A dry run is the console's preview.
 */
export const importRoutes: FastifyPluginAsyncTypebox<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.post(
    "/import",
    {
      schema: {
        tags: ["import"],
        summary: "Import CSV text (one transaction; all or nothing unless partial); dryRun=true only reports",
        body: ImportBody,
        response: { 200: FreeObject, ...errorResponses(400, 413) },
      },
    },
    async (request) => {
      const { partial, dryRun, names = {} } = request.body;
      const files: ImportFiles = {};
      for (const kind of ["users", "groups", "memberships"] as const) {
        const text = request.body[kind];
        if (text !== undefined) files[kind] = { name: names[kind] ?? `${kind}.csv`, input: Readable.from([text]) };
      }
      if (Object.keys(files).length === 0) {
        throw validationFailed("nothing to import", [{ path: "/users", message: "send users, groups or memberships" }]);
      }
      return importDirectory(runtime.store, files, { actor: actorOf(request), partial, dryRun, clock: runtime.clock });
    },
  );
};
