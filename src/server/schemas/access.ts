import { Type } from "@sinclair/typebox";
import { FreeObject, Nullable, pageQuery, Timestamp } from "./common.js";
import { UserOut } from "./users.js";

export const ApiTokenOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: "First characters of the secret, to tell tokens apart" }),
    createdBy: Nullable(Type.String()),
    created: Timestamp,
    lastUsed: Nullable(Timestamp),
    expiresAt: Nullable(Timestamp),
    revokedAt: Nullable(Timestamp),
  },
  { additionalProperties: false, title: "ApiToken" },
);

export const CreatedApiTokenOut = Type.Object(
  { ...ApiTokenOut.properties, secret: Type.String({ description: "Shown once; store it now" }) },
  { additionalProperties: false },
);

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

export const SignInBody = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    totpCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16,
        description: "The authenticator code, for an account with a TOTP factor (401 with details.secondFactor asks)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const SessionOut = Type.Object(
  {
    user: UserOut,
    csrfToken: Type.String({ description: "Send as x-csrf-token on every POST, PUT, PATCH and DELETE" }),
    expiresAt: Timestamp,
  },
  { additionalProperties: false, title: "AdminSession" },
);

export const LogEventOut = Type.Object(
  {
    id: Type.String(),
    published: Timestamp,
    actor: Type.Object(
      { type: Type.String(), id: Nullable(Type.String()), display: Type.String() },
      { additionalProperties: false },
    ),
    action: Type.String(),
    target: Nullable(
      Type.Object(
        { type: Type.String(), id: Nullable(Type.String()), display: Type.String() },
        { additionalProperties: false },
      ),
    ),
    outcome: Type.Union([Type.Literal("SUCCESS"), Type.Literal("FAILURE")]),
    summary: FreeObject,
    requestId: Nullable(Type.String()),
  },
  { additionalProperties: false, title: "LogEvent" },
);

export const ListLogsQuery = Type.Object(
  {
    ...pageQuery(1000, 100),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "e.g. user.lifecycle.create" })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Target object id" })),
    since: Type.Optional(Type.String({ format: "date-time", description: "Only events at or after this time" })),
  },
  { additionalProperties: false },
);
