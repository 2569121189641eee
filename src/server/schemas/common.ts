import { type TSchema, Type } from "@sinclair/typebox";

/** Building blocks shared by the route schemas. Every object refuses properties it does not declare. */

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Timestamp = Type.String({ format: "date-time", description: "ISO 8601 timestamp (UTC)" });

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: "Stable machine-readable code, e.g. validation_failed, conflict" }),
    message: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
  },
  { additionalProperties: false, title: "Error" },
);

/** Response schemas for the errors an authenticated admin endpoint can answer with. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries([401, 403, 415, 429, 500, ...statuses].map((s) => [s, ErrorBody]));

export const Cursor = Type.String({
  minLength: 1,
  maxLength: 200,
  description: "Opaque cursor from the `next` link of the previous page",
});

export const pageQuery = (maxLimit: number, defaultLimit: number) => ({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
  after: Type.Optional(Cursor),
});

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** The free-form objects we hand back as-is (log summaries, error details). */
export const FreeObject = Type.Object({}, { additionalProperties: true });
