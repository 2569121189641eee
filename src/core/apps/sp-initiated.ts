import { DomainError } from "../errors.js";
import type { AuthnRequest } from "../saml/authn-request.js";
import { partitionInfo } from "../saml/partitions.js";
import { validateAwsFederationSettings } from "./aws-federation-settings.js";
import type { App } from "./model.js";
import { validateScimAppSettings } from "./scim-app-settings.js";

const refused = (reason: string, details: Record<string, unknown> = {}) =>
  new DomainError("saml_request_invalid", `the SAML request is not for this app: ${reason}`, { reason, ...details });

/**
 * An AuthnRequest is answered only for the service provider the app is set up for: its Issuer must be the
 * SP's entity id the app sends assertions to (the Audience), and an ACS it names must be the app's — a
 * request cannot redirect a signed assertion elsewhere.
 */
export function assertRequestForApp(app: App, request: AuthnRequest): void {
  let audience: string;
  let acsUrl: string;
  if (app.type === "aws-account-federation") {
    const settings = validateAwsFederationSettings(app.settings);
    const partition = partitionInfo(settings.partition);
    audience = partition.audience;
    acsUrl = settings.acsUrl ?? partition.acsUrl;
  } else if (app.type === "aws-iam-identity-center") {
    const saml = validateScimAppSettings(app.settings).saml;
    if (!saml) throw refused(`${app.label} has no SAML sign-in set up`);
    audience = saml.audience;
    acsUrl = saml.acsUrl;
  } else {
    throw refused(`${app.label} does not sign in with SAML`);
  }
  if (request.issuer !== audience) {
    throw refused(`the Issuer is ${JSON.stringify(request.issuer)}, not ${JSON.stringify(audience)}`, {
      issuer: request.issuer,
    });
  }
  if (request.acsUrl !== null && request.acsUrl !== acsUrl) {
    throw refused(`the ACS ${JSON.stringify(request.acsUrl)} is not the app's (${acsUrl})`, { acsUrl: request.acsUrl });
  }
}
