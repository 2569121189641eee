import { Type } from "@sinclair/typebox";
import { USER_STATUSES } from "../../core/directory/model.js";
import { Nullable, pageQuery, Timestamp } from "./common.js";

const Status = Type.Union(
  USER_STATUSES.map((s) => Type.Literal(s)),
  { description: "Lifecycle status" },
);

// Lengths and formats here are the wire limits; the domain rules (email syntax, login characters)
// live in core/directory/validate.ts so the API, CLI and imports refuse the same things.
const profileFields = {
  login: Type.String({ minLength: 1, maxLength: 100 }),
  email: Type.String({ minLength: 1, maxLength: 254 }),
  firstName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  lastName: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  displayName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
};

export const FullProfile = Type.Object(profileFields, { additionalProperties: false });
export const PartialProfile = Type.Partial(FullProfile, { additionalProperties: false, minProperties: 1 });

const Password = Type.Object(
  { value: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const UserProfileOut = Type.Object(
  {
    login: Type.String(),
    email: Type.String(),
    firstName: Nullable(Type.String()),
    lastName: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

/** Okta's user shape; credentials never leave the server. */
export const UserOut = Type.Object(
  {
    id: Type.String(),
    status: Status,
    created: Timestamp,
    lastUpdated: Timestamp,
    statusChanged: Timestamp,
    passwordChanged: Nullable(Timestamp),
    lastLogin: Nullable(Timestamp),
    version: Type.Integer({ description: "Also sent as the ETag; send it back in If-Match" }),
    profile: UserProfileOut,
  },
  { additionalProperties: false, title: "User" },
);

export const CreateUserBody = Type.Object(
  {
    profile: FullProfile,
    credentials: Type.Optional(Type.Object({ password: Password }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const CreateUserQuery = Type.Object(
  { activate: Type.Optional(Type.Boolean({ default: true, description: "false creates the user STAGED" })) },
  { additionalProperties: false },
);

export const PartialUpdateBody = Type.Object({ profile: PartialProfile }, { additionalProperties: false });
export const FullUpdateBody = Type.Object({ profile: FullProfile }, { additionalProperties: false });
export const SetPasswordBody = Type.Object({ password: Password }, { additionalProperties: false });

export const ListUsersQuery = Type.Object(
  {
    ...pageQuery(200, 200),
    login: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "Exact login" })),
    status: Type.Optional(Status),
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: "Prefix of login, email, first, last or display name" }),
    ),
  },
  { additionalProperties: false },
);

export const UserParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200, description: "User id, or login" }) },
  { additionalProperties: false },
);

export const LifecycleParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    action: Type.Union([
      Type.Literal("activate"),
      Type.Literal("deactivate"),
      Type.Literal("suspend"),
      Type.Literal("unsuspend"),
    ]),
  },
  { additionalProperties: false },
);
