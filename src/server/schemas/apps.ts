import { Type } from "@sinclair/typebox";
import { appJson } from "../../core/apps/app-json.js";
import type { App, AppAssignment, SigningKey } from "../../core/apps/model.js";
import { FreeObject, Nullable, pageQuery, Timestamp } from "./common.js";

export const AppType = Type.Union([
  Type.Literal("aws-account-federation"),
  Type.Literal("aws-iam-identity-center"),
  Type.Literal("generic-scim2"),
]);

export const AppOut = Type.Object(
  {
    id: Type.String(),
    slug: Type.String(),
    type: Type.String(),
    label: Type.String(),
    status: Type.Union([Type.Literal("ACTIVE"), Type.Literal("INACTIVE")]),
    settings: FreeObject,
    created: Timestamp,
    lastUpdated: Type.String(),
    version: Type.Integer(),
    /** Provisioning apps only: whether changes are sent to the target ("Enable API integration"). */
    provisioning: Type.Optional(Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false })),
  },
  { additionalProperties: false, title: "App" },
);

export const toAppOut = (a: App) => appJson(a);

export const CreateAppBody = Type.Object(
  {
    slug: Type.String({ minLength: 3, maxLength: 64, description: "Stable handle used in URLs, e.g. aws-prod" }),
    type: AppType,
    label: Type.String({ minLength: 1, maxLength: 200 }),
    settings: Type.Optional(FreeObject),
    signingKeyBits: Type.Optional(Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(4096)])),
  },
  { additionalProperties: false },
);

export const UpdateAppBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    settings: Type.Optional(FreeObject),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ListAppsQuery = Type.Object({ ...pageQuery(200, 200) }, { additionalProperties: false });

export const AppActionParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    action: Type.Union([Type.Literal("activate"), Type.Literal("deactivate")]),
  },
  { additionalProperties: false },
);

export const PrincipalParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), principalId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const AssignBody = Type.Object(
  {
    profile: Type.Optional(FreeObject),
    /** Group assignments only: 0 is the highest; the others shift down. Absent on a new group: last. */
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

export const AssignmentOut = Type.Object(
  {
    appId: Type.String(),
    principalType: Type.Union([Type.Literal("user"), Type.Literal("group")]),
    principalId: Type.String(),
    profile: FreeObject,
    priority: Nullable(Type.Integer()),
    created: Timestamp,
    lastUpdated: Timestamp,
  },
  { additionalProperties: false, title: "AppAssignment" },
);

export const toAssignmentOut = (a: AppAssignment) => ({ ...a });

export const KeyOut = Type.Object(
  {
    id: Type.String(),
    state: Type.String(),
    bits: Type.Integer(),
    certificatePem: Type.String(),
    notAfter: Timestamp,
    created: Timestamp,
    activated: Nullable(Timestamp),
    retired: Nullable(Timestamp),
  },
  { additionalProperties: false, title: "SigningKey" },
);

/** The private key never leaves the server, not even sealed. */
export const toKeyOut = ({ privateKeySealed: _sealed, appId: _app, ...k }: SigningKey) => k;

export const NewKeyBody = Type.Object(
  { bits: Type.Optional(Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(4096)])) },
  { additionalProperties: false },
);

export const KeyActionParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    keyId: Type.String({ minLength: 1, maxLength: 200 }),
    action: Type.Union([Type.Literal("activate"), Type.Literal("retire")]),
  },
  { additionalProperties: false },
);

export const ExplainQuery = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const PreviewBody = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 200, description: "User id or login" }),
    settings: Type.Optional(FreeObject),
  },
  { additionalProperties: false },
);

export const AwsCredentialsBody = Type.Object(
  {
    accessKeyId: Type.String({ pattern: "^[A-Z0-9]{16,128}$" }),
    secretAccessKey: Type.String({ minLength: 16, maxLength: 128 }),
  },
  { additionalProperties: false },
);
