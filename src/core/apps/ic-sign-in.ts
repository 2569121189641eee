import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { buildSignedResponse, NAME_ID_FORMAT, type SamlResponse } from "../saml/response.js";
import type { App } from "./model.js";
import { validateScimAppSettings } from "./scim-app-settings.js";
import type { SignInDeps } from "./sign-in-deps.js";
import { signInRefused } from "./sign-in-refusals.js";
import { idpUrls } from "./signing-keys.js";

export interface IdentityCenterSignIn {
  /** The instance's ACS: the Response's Recipient and Destination. */
  acsUrl: string;
  /** Where the browser auto-POSTs SAMLResponse (and RelayState): the ACS, or the sandbox standing in for it. */
  postUrl: string;
  response: SamlResponse;
  relayState: string | null;
}

/** Whether an app signs people into an Identity Center portal: the dashboard shows a tile for it. */
export function identityCenterSignsIn(app: App): boolean {
  const saml = app.settings.saml;
  return app.type === "aws-iam-identity-center" && typeof saml === "object" && saml !== null;
}

/**
 * IdP-initiated sign-in to the IAM Identity Center access portal. AWS reads only the NameID and matches it
 * against the provisioned userName, which is the login, so the Response carries no attributes; what the
 * person may reach is decided in AWS (permission sets assigned to pushed groups). Refused, with
 * `details.reason`, for a switched-off app, an inactive person, a person not assigned (directly or through a
 * group) and an app without SAML settings.
 */
export async function buildIdentityCenterSignIn(
  deps: SignInDeps,
  app: App,
  user: User,
  relayState?: string | null,
  /** The ID of the AuthnRequest being answered (SP-initiated sign-in). */
  inResponseTo?: string | null,
): Promise<IdentityCenterSignIn> {
  if (app.type !== "aws-iam-identity-center") {
    throw new DomainError("conflict", `app ${app.slug} is not an IAM Identity Center app`, { type: app.type });
  }
  const settings = validateScimAppSettings(app.settings);
  const voice = deps.voice ?? "person";
  if (app.status !== "ACTIVE") throw signInRefused(voice, "app_inactive", user, app.label);
  if (user.status !== "ACTIVE") throw signInRefused(voice, "user_not_active", user, app.label);
  const groups = await deps.store.memberships.groupsOfUser(user.id);
  const assignments = await deps.store.assignments.forUser(
    app.id,
    user.id,
    groups.map((g) => g.id),
  );
  if (assignments.length === 0) throw signInRefused(voice, "not_assigned", user, app.label);
  const saml = settings.saml;
  if (!saml) throw signInRefused(voice, "saml_not_configured", user, app.label);
  const { signer } = await deps.keys.activeSigner(app, deps.activeKey);
  const response = buildSignedResponse(signer, {
    ...(inResponseTo ? { inResponseTo } : {}),
    attributes: "none",
    issuer: idpUrls(deps.publicUrl, app).entityId,
    acsUrl: saml.acsUrl,
    audience: saml.audience,
    nameId: user.profile.login,
    nameIdFormat: NAME_ID_FORMAT[saml.nameIdFormat],
    now: () => deps.clock.now(),
  });
  return {
    acsUrl: saml.acsUrl,
    postUrl: saml.signinEndpointUrl ?? saml.acsUrl,
    response,
    relayState: relayState ?? null,
  };
}
