import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { partitionInfo } from "../saml/partitions.js";
import { buildSignedResponse, NAME_ID_FORMAT, type SamlResponse } from "../saml/response.js";
import { sanitizeRoleSessionName, sanitizeSourceIdentity } from "../saml/session-name.js";
import type { AwsFederationSettings } from "./aws-federation-settings.js";
import { type AppEntitlements, appEntitlements, validatedSettings } from "./entitlements.js";
import type { App } from "./model.js";
import type { SignInDeps } from "./sign-in-deps.js";
import { signInRefused } from "./sign-in-refusals.js";
import { idpUrls } from "./signing-keys.js";

/** AWS's rule for session tag values; a value outside it would make AWS refuse the whole sign-in. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

export interface AwsSignIn {
  /** The ACS the Response is addressed to (its Recipient and Destination). */
  acsUrl: string;
  /** Where the browser auto-POSTs SAMLResponse (and RelayState): the ACS, or the sandbox standing in for it. */
  postUrl: string;
  response: SamlResponse;
  relayState: string | null;
  entitlements: AppEntitlements;
  /** Session tags left out because the user's value breaks AWS's rule (rewriting it could collide). */
  omittedTags: string[];
}

function userField(user: User, field: string): string {
  const p = user.profile;
  const value = field === "id" ? user.id : (p as unknown as Record<string, string | null>)[field];
  return value ?? "";
}

/**
 * IdP-initiated sign-in to AWS: resolve the user's roles (the one function), then build and sign the
 * Response for the app's partition. A user with no role gets a clear refusal, never an empty assertion.
 */
export async function buildAwsSignIn(
  deps: SignInDeps,
  app: App,
  user: User,
  relayState?: string | null,
  /** The ID of the AuthnRequest being answered (SP-initiated sign-in). */
  inResponseTo?: string | null,
): Promise<AwsSignIn> {
  if (app.type !== "aws-account-federation") {
    throw new DomainError("conflict", `app ${app.slug} is not an AWS Account Federation app`);
  }
  // Validated once per settings text (validation costs about a millisecond; this runs at every SSO).
  const settings: AwsFederationSettings = validatedSettings(app).settings;
  const entitlements = await appEntitlements(deps.store, app, user);
  const voice = deps.voice ?? "person";
  if (entitlements.blockedBecause === "app_inactive") throw signInRefused(voice, "app_inactive", user, app.label);
  if (entitlements.blockedBecause === "user_not_active") throw signInRefused(voice, "user_not_active", user, app.label);
  if (!entitlements.assigned) throw signInRefused(voice, "not_assigned", user, app.label);
  if (entitlements.roles.length === 0) throw signInRefused(voice, "no_roles", user, app.label);
  const { signer } = await deps.keys.activeSigner(app, deps.activeKey);
  const acsUrl = settings.acsUrl ?? partitionInfo(settings.partition).acsUrl;
  // A tag whose value AWS would refuse is left out rather than rewritten: a rewritten value could equal
  // another user's and grant access by attribute; a missing tag fails closed in ABAC policies.
  const principalTags: Record<string, string> = {};
  const omittedTags: string[] = [];
  for (const [key, field] of Object.entries(settings.principalTags ?? {})) {
    const value = userField(user, field);
    if (TAG_VALUE.test(value)) principalTags[key] = value;
    else omittedTags.push(key);
  }
  const response = buildSignedResponse(signer, {
    ...(inResponseTo ? { inResponseTo } : {}),
    issuer: idpUrls(deps.publicUrl, app).entityId,
    partition: settings.partition,
    acsUrl,
    nameId: settings.nameIdFormat === "persistent" ? user.id : user.profile.email,
    nameIdFormat: NAME_ID_FORMAT[settings.nameIdFormat as keyof typeof NAME_ID_FORMAT],
    roles: entitlements.roles.map((r) => ({ roleArn: r.roleArn, providerArn: r.providerArn })),
    roleSessionName: sanitizeRoleSessionName(
      settings.roleSessionNameSource === "email" ? user.profile.email : user.profile.login,
    ),
    sessionDurationSeconds: settings.sessionDuration,
    ...(settings.sourceIdentitySource
      ? {
          sourceIdentity: sanitizeSourceIdentity(
            settings.sourceIdentitySource === "email" ? user.profile.email : user.profile.login,
          ),
        }
      : {}),
    ...(Object.keys(principalTags).length ? { principalTags } : {}),
    ...(settings.transitiveTagKeys?.length ? { transitiveTagKeys: settings.transitiveTagKeys } : {}),
    signAssertion: settings.signAssertion,
    signResponse: settings.signResponse,
    now: () => deps.clock.now(),
  });
  const postUrl = settings.signinEndpointUrl ?? acsUrl;
  return {
    acsUrl,
    postUrl,
    response,
    relayState: relayState ?? settings.defaultRelayState ?? null,
    entitlements,
    omittedTags,
  };
}
