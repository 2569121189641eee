import type { TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { FormatRegistry } from "@sinclair/typebox/type";
import { Value } from "@sinclair/typebox/value";
import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";

/**
 * Route schemas are compiled with TypeBox instead of Fastify's default Ajv setup, because the defaults
 * would silently strip unknown fields and coerce body types (`{"name": 1}` becoming "1"). Here bodies
 * are checked exactly as sent; only querystring, params and headers (always strings on the wire) are
 * converted to the declared types, and get their declared defaults.
 */

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
if (!FormatRegistry.Has("date-time")) {
  FormatRegistry.Set("date-time", (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
}

const MAX_REPORTED = 20;

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart !== "body";
  return (input: unknown) => {
    const value = convert ? Value.Default(schema, Value.Convert(schema, input)) : input;
    if (check.Check(value)) return { value };
    const seen = new Set<string>();
    const error: FastifySchemaValidationError[] = [];
    for (const e of check.Errors(value)) {
      const key = `${e.path}\u0000${e.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      error.push({ keyword: String(e.type), instancePath: e.path, schemaPath: "", params: {}, message: e.message });
      if (error.length >= MAX_REPORTED) break;
    }
    return { error };
  };
};
