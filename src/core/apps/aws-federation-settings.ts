import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type FieldError, validationFailed } from "../errors.js";
import { compileGroupFilter } from "../rolemap/group-filter.js";
import {
  AppFilterError,
  AWS_PARTITIONS,
  type AwsSignOnSettings,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  parseAppFilter,
  parseProviderArn,
  RolemapError,
  validateGroupFilter,
  validateRoleValuePattern,
} from "../rolemap/index.js";

const AccountId = Type.String({ pattern: "^\\d{12}$" });
const ProviderName = Type.String({ pattern: "^[\\w.-]{1,128}$" });
const UserField = Type.Union(
  ["login", "email", "firstName", "lastName", "displayName", "id"].map((f) => Type.Literal(f)),
);

/** Legacy API mode (Okta's Provisioning tab): an IAM user's keys read role lists from AWS; it provisions nothing. */
export const LegacyApiSettingsSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    accessKeyId: Type.Optional(Type.Union([Type.String({ pattern: "^[A-Z0-9]{16,128}$" }), Type.Null()])),
    connectedAccountIds: Type.Array(AccountId, { default: [], maxItems: 1000, uniqueItems: true }),
    crossAccountRoleName: Type.String({ pattern: "^[\\w+=,.@-]{1,64}$", default: "Okta-Idp-cross-account-role" }),
    region: Type.String({ pattern: "^[a-z]{2}(-[a-z]+)+-\\d{1,2}$", default: "us-east-1" }),
    /** Only to reach an AWS look-alike such as rolebridge's sandbox; unset for real AWS. */
    endpointUrl: Type.Optional(Type.Union([Type.String({ pattern: "^https?://", maxLength: 2048 }), Type.Null()])),
    /** 0 = refresh only on demand. */
    refreshIntervalMinutes: Type.Integer({ minimum: 0, maximum: 10_080, default: 0 }),
  },
  { additionalProperties: false, default: {} },
);

export type LegacyApiSettings = Static<typeof LegacyApiSettingsSchema>;

/** Command-line credentials (`rolebridge aws credentials`): allowed or not, and for how long after a sign-in. */
export const CliCredentialsSettingsSchema = Type.Object(
  {
    allowed: Type.Boolean({ default: true }),
    /** A command-line sign-in older than this gets no more SAML for this app (the server's own cap also applies). */
    maxSessionHours: Type.Integer({ minimum: 1, maximum: 168, default: 12 }),
  },
  { additionalProperties: false, default: {} },
);

/** Sign On settings of the AWS Account Federation app, with Okta's meaning (shared/reference/okta-aws-app.md). */
export const AwsFederationSettingsSchema = Type.Object(
  {
    partition: Type.Union(
      AWS_PARTITIONS.map((p) => Type.Literal(p)),
      { default: "aws" },
    ),
    /**
     * The IdP entityID (the Responses' Issuer). Fixed when the app is created, so moving rolebridge to
     * another URL or port does not break the SAML providers already registered in AWS.
     */
    idpEntityId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** Overrides the partition's ACS, e.g. a regional sign-in endpoint (every ACS belongs in SAML:aud). */
    acsUrl: Type.Optional(Type.Union([Type.String({ pattern: "^https?://", maxLength: 2048 }), Type.Null()])),
    /**
     * Only for an AWS look-alike (rolebridge's sandbox): the browser posts the Response here, while the
     * Response still names the real ACS as Recipient, as AWS's trust policies expect.
     */
    signinEndpointUrl: Type.Optional(
      Type.Union([Type.String({ pattern: "^https?://", maxLength: 2048 }), Type.Null()]),
    ),
    identityProviderArn: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    samlProviderNames: Type.Optional(Type.Record(AccountId, ProviderName)),
    defaultSamlProviderName: Type.Optional(Type.Union([ProviderName, Type.Null()])),
    sessionDuration: Type.Integer({ minimum: 900, maximum: 43_200, default: 3600 }),
    joinAllRoles: Type.Boolean({ default: false }),
    /**
     * People assigned only through groups: `combine` (union of their groups' assigned roles) or `priority`
     * (only the highest-priority group assignment's). Combine is the default: it is what group mapping does
     * and what Join all roles gives people with their own assignment, and it removes nobody's access.
     */
    groupAssignmentMode: Type.Union([Type.Literal("combine"), Type.Literal("priority")], { default: "combine" }),
    useGroupMapping: Type.Boolean({ default: false }),
    appFilter: Type.String({ maxLength: 1024, default: "local" }),
    groupFilter: Type.String({ minLength: 1, maxLength: 1024, default: DEFAULT_GROUP_FILTER }),
    roleValuePattern: Type.String({ minLength: 1, maxLength: 2048, default: DEFAULT_ROLE_VALUE_PATTERN }),
    roleSessionNameSource: Type.Union([Type.Literal("login"), Type.Literal("email")], { default: "login" }),
    sourceIdentitySource: Type.Optional(Type.Union([Type.Literal("login"), Type.Literal("email"), Type.Null()])),
    /** Session tags: tag key -> user field. */
    principalTags: Type.Optional(Type.Record(Type.String({ pattern: "^[\\w.:/=+@-]{1,128}$" }), UserField)),
    transitiveTagKeys: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 50 })),
    nameIdFormat: Type.Union(
      ["emailAddress", "persistent", "transient", "unspecified"].map((f) => Type.Literal(f)),
      { default: "emailAddress" },
    ),
    defaultRelayState: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    signResponse: Type.Boolean({ default: true }),
    signAssertion: Type.Boolean({ default: true }),
    api: LegacyApiSettingsSchema,
    cliCredentials: CliCredentialsSettingsSchema,
  },
  { additionalProperties: false },
);

export type AwsFederationSettings = Static<typeof AwsFederationSettingsSchema>;

/** The part of the settings role resolution reads; sign-in, explain and the migration proof share it. */
export function signOnSettingsOf(s: AwsFederationSettings): AwsSignOnSettings {
  return {
    partition: s.partition,
    identityProviderArn: s.identityProviderArn ?? null,
    samlProviderNames: s.samlProviderNames ?? {},
    defaultSamlProviderName: s.defaultSamlProviderName ?? null,
    useGroupMapping: s.useGroupMapping,
    appFilter: s.appFilter,
    groupFilter: s.groupFilter,
    roleValuePattern: s.roleValuePattern,
    joinAllRoles: s.joinAllRoles,
    groupAssignmentMode: s.groupAssignmentMode,
  };
}

function rolemapErrors(path: string, err: unknown): FieldError[] {
  if (err instanceof RolemapError) return [{ path, message: err.message }];
  throw err;
}

/**
 * Fills defaults, checks the shape, then the meaning: the Group Filter compiles in the linear-time
 * engine with both captures, the Role Value Pattern renders a valid pair in the partition, the App
 * Filter parses, the IdP ARN is in the partition. Every problem is reported at once, with its path.
 */
export function validateAwsFederationSettings(input: Record<string, unknown>): AwsFederationSettings {
  const withDefaults = Value.Default(AwsFederationSettingsSchema, structuredClone(input));
  const shapeErrors = [...Value.Errors(AwsFederationSettingsSchema, withDefaults)].map((e) => ({
    path: `/settings${e.path}`,
    message: e.message,
  }));
  if (shapeErrors.length) throw validationFailed("the AWS app settings are invalid", shapeErrors.slice(0, 20));
  const s = withDefaults as AwsFederationSettings;
  const errors: FieldError[] = [];

  if (s.identityProviderArn) {
    const parsed = parseProviderArn(s.identityProviderArn, s.partition);
    if (!parsed.ok) errors.push({ path: "/settings/identityProviderArn", message: parsed.reason });
  }
  try {
    parseAppFilter(s.appFilter);
  } catch (err) {
    if (!(err instanceof AppFilterError)) throw err;
    errors.push({ path: "/settings/appFilter", message: err.message });
  }
  const filterError = validateGroupFilter(s.groupFilter);
  if (filterError) errors.push({ path: "/settings/groupFilter", message: filterError.message });
  else if (s.useGroupMapping || s.roleValuePattern !== DEFAULT_ROLE_VALUE_PATTERN) {
    try {
      const providerNameConfigured = Boolean(
        s.defaultSamlProviderName ||
          s.identityProviderArn ||
          (s.samlProviderNames && Object.keys(s.samlProviderNames).length > 0),
      );
      validateRoleValuePattern(s.roleValuePattern, {
        partition: s.partition,
        captureNames: compileGroupFilter(s.groupFilter).captureNames,
        providerNameConfigured,
      });
    } catch (err) {
      errors.push(...rolemapErrors("/settings/roleValuePattern", err));
    }
  }
  if (errors.length) throw validationFailed("the AWS app settings are invalid", errors);
  return s;
}
