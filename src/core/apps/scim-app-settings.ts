import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type FieldError, validationFailed } from "../errors.js";

/** An absolute http(s) URL: scheme, host (and port), optional path; no spaces, no fragment. */
const HTTP_URL = "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s#]*)?$";
/** Full reconciliation: at most weekly, at least every 5 minutes (each one reads the whole target). */
const MIN_INTERVAL = 5;
const MAX_INTERVAL = 7 * 24 * 60;

/**
 * Settings of the provisioning apps (`aws-iam-identity-center`, `generic-scim2`): where to send SCIM, what
 * may be sent, and which directory groups are pushed. The API token is an app secret, never a setting.
 */
export const ScimAppSettingsSchema = Type.Object(
  {
    /** Set when the app is created; the IdP entityID, as for every app. */
    idpEntityId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    baseUrl: Type.Optional(Type.String({ maxLength: 2048 })),
    features: Type.Object(
      {
        createUsers: Type.Boolean({ default: true }),
        updateUsers: Type.Boolean({ default: true }),
        deactivateUsers: Type.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Directory groups pushed to the target (Okta's Push Groups). */
    pushGroups: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
      default: [],
      maxItems: 10_000,
      uniqueItems: true,
    }),
    /**
     * Requests per second to a generic SCIM 2.0 target (one budget for every request). AWS apps use `budgets`.
     */
    rateLimitPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 10 }),
    /**
     * AWS IAM Identity Center apps: what the app may spend per second of each of AWS's throttles, shared by every
     * sync of the app in one process. Absent values take AWS's documented defaults (reads 40, writes 25) and
     * rolebridge's membership assumption (100 operations); raise them after AWS raises the instance's quota.
     */
    budgets: Type.Optional(
      Type.Object(
        {
          readPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
          writePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_000 })),
          /** Members added or removed per second, each member in a group create or PATCH counting one. */
          membershipOpsPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * Minutes between scheduled full reconciliations, which repair changes made on the target itself; 0 turns
     * them off (syncs then follow directory changes and "sync now" only).
     */
    fullSyncIntervalMinutes: Type.Integer({ minimum: 0, maximum: MAX_INTERVAL, default: 60 }),
    /**
     * SAML sign-in to the IAM Identity Center access portal (`aws-iam-identity-center` only), from the
     * instance's "IAM Identity Center SAML metadata". Absent: the app provisions but signs no one in.
     */
    saml: Type.Optional(
      Type.Object(
        {
          /** "IAM Identity Center Assertion Consumer Service (ACS) URL": the Response's Recipient and Destination. */
          acsUrl: Type.String({ pattern: HTTP_URL, maxLength: 2048 }),
          /** "IAM Identity Center issuer URL" (the SP entityID): the assertion's Audience. */
          audience: Type.String({ pattern: HTTP_URL, maxLength: 2048 }),
          /** The NameID's value is always the login, the provisioned userName AWS matches it against. */
          nameIdFormat: Type.Union([Type.Literal("emailAddress"), Type.Literal("unspecified")], {
            default: "emailAddress",
          }),
          /**
           * Only for an AWS look-alike (rolebridge's sandbox): the browser posts the Response here, while the
           * Response still names `acsUrl` as Recipient.
           */
          signinEndpointUrl: Type.Optional(Type.String({ pattern: HTTP_URL, maxLength: 2048 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ScimAppSettings = Static<typeof ScimAppSettingsSchema>;

/** The Base URL rule from the guide: IdPs must be given AWS's SCIM endpoint without its trailing slash. */
function baseUrlErrors(baseUrl: string | undefined): FieldError[] {
  if (baseUrl === undefined) return [];
  const path = "/settings/baseUrl";
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return [{ path, message: `"${baseUrl}" is not an absolute URL` }];
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return [{ path, message: "must be an http(s) URL" }];
  if (baseUrl.endsWith("/")) {
    return [
      {
        path,
        message:
          "remove the trailing slash: the SCIM endpoint is …/scim/v2, and with the slash every request path doubles it (…/scim/v2//Users), which AWS answers with 404",
      },
    ];
  }
  if (url.search || url.hash) return [{ path, message: "must not carry a query or fragment" }];
  return [];
}

/** `type`, when known (on create and update): settings that do not apply to it are refused, not ignored. */
export function validateScimAppSettings(
  input: Record<string, unknown>,
  type?: "aws-iam-identity-center" | "generic-scim2",
): ScimAppSettings {
  const withDefaults = Value.Default(ScimAppSettingsSchema, structuredClone(input));
  const shape = [...Value.Errors(ScimAppSettingsSchema, withDefaults)].map((e) => ({
    path: `/settings${e.path}`,
    message: e.message,
  }));
  if (shape.length) throw validationFailed("the provisioning settings are invalid", shape.slice(0, 20));
  const s = withDefaults as ScimAppSettings;
  const errors = baseUrlErrors(s.baseUrl);
  if (s.fullSyncIntervalMinutes > 0 && s.fullSyncIntervalMinutes < MIN_INTERVAL) {
    errors.push({
      path: "/settings/fullSyncIntervalMinutes",
      message: `must be 0 (off) or ${MIN_INTERVAL}-${MAX_INTERVAL} minutes: every full sync reads the whole target`,
    });
  }
  if (type === "generic-scim2" && s.budgets !== undefined) {
    errors.push({
      path: "/settings/budgets",
      message:
        "applies to aws-iam-identity-center apps (AWS's per-class throttles); a generic SCIM 2.0 app uses rateLimitPerSecond",
    });
  }
  if (errors.length) throw validationFailed("the provisioning settings are invalid", errors);
  return s;
}
