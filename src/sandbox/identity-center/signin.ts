import { readClaims } from "../saml/claims.js";
import { parseIdpMetadata } from "../saml/metadata.js";
import { signedAssertion } from "../saml/signature.js";
import { decodeSamlResponse, NOT_BEFORE_GRANULARITY_MS } from "../saml/validate.js";
import { childElements, descendants, NS, textOf } from "../saml/xml.js";
import type { UsedResponses } from "../signin/replay.js";
import type { Account } from "../state/model.js";
import type { IdentityCenterInstance } from "./model.js";
import { type PortalAccount, portalErrorPage, portalPage } from "./portal.js";

const MAX_ASSERTION_AGE_MS = 5 * 60_000;
const MAX_FORM_SAML_CHARS = 128 * 1024;

/** The real host an instance's sign-in lives on; the sandbox twin keeps it after `/signin/`. */
export const signinHost = (region: string) => `${region}.signin.aws`;
/** The ACS URL an IdP is given for the instance (the SAML Recipient). */
export const realAcsUrl = (i: Pick<IdentityCenterInstance, "region" | "tenantId">) =>
  `https://${signinHost(i.region)}/platform/saml/acs/${i.tenantId}`;
/** The SP entity id, which the assertion's Audience must name. */
export const spEntityId = (i: Pick<IdentityCenterInstance, "region" | "tenantId">) =>
  `https://${signinHost(i.region)}/platform/saml/${i.tenantId}`;

class Refused extends Error {}

function verifiedNameId(
  instance: Readonly<IdentityCenterInstance>,
  samlResponse: string,
  now: Date,
  used: UsedResponses,
): string {
  if (!instance.samlMetadata) throw new Refused("No identity provider is configured for this instance");
  if (samlResponse.length > MAX_FORM_SAML_CHARS) throw new Refused("The SAMLResponse is too large");
  let decoded: ReturnType<typeof decodeSamlResponse>;
  try {
    decoded = decodeSamlResponse(samlResponse);
  } catch {
    throw new Refused("Invalid SAML response");
  }
  const metadata = parseIdpMetadata(instance.samlMetadata);
  if (typeof metadata === "string") throw new Refused("The configured IdP metadata is unusable");
  const assertion = signedAssertion(decoded.xml, decoded.response, metadata.signingCertificates);
  if (!assertion) throw new Refused("Response signature invalid");
  const claims = readClaims(assertion);
  const status = descendants(decoded.response, NS.protocol, "StatusCode")[0]?.getAttribute("Value");
  if (status !== "urn:oasis:names:tc:SAML:2.0:status:Success") throw new Refused("Response status is not Success");
  const responseIssuer = textOf(childElements(decoded.response, NS.assertion, "Issuer")[0]);
  if (claims.issuer !== metadata.entityId || (responseIssuer && responseIssuer !== metadata.entityId)) {
    throw new Refused("Issuer does not match the configured identity provider");
  }
  if (claims.subjectConfirmations !== 1) throw new Refused("Response must contain exactly one SubjectConfirmation");
  if (claims.recipient !== realAcsUrl(instance)) throw new Refused(`Recipient is not ${realAcsUrl(instance)}`);
  if (!claims.audiences.includes(spEntityId(instance))) throw new Refused(`Audience is not ${spEntityId(instance)}`);
  if (!claims.hasAuthnStatement) throw new Refused("Response does not contain an AuthnStatement");
  const t = now.getTime();
  // As strict as the IAM sign-in (see saml/validate.ts): no skew on expiry.
  if (claims.notBefore && claims.notBefore.getTime() > t + NOT_BEFORE_GRANULARITY_MS)
    throw new Refused("Response is not yet valid");
  let validUntil = Number.POSITIVE_INFINITY;
  for (const limit of [claims.notOnOrAfter, claims.subjectNotOnOrAfter]) {
    if (!limit || limit.getTime() <= t) throw new Refused("Response has expired");
    validUntil = Math.min(validUntil, limit.getTime());
  }
  if (claims.issueInstant && claims.issueInstant.getTime() < t - MAX_ASSERTION_AGE_MS) {
    throw new Refused("Response was issued more than 5 minutes ago");
  }
  if (!used.use(decoded.xml, validUntil, t)) {
    throw new Refused("This SAML response has already been used to sign in; sign in again at your identity provider");
  }
  return claims.nameId;
}

/** Accounts and permission sets the user reaches: assignments of the groups the user is a member of. */
export function portalAccounts(
  instance: Readonly<IdentityCenterInstance>,
  userId: string,
  accounts: readonly Account[],
) {
  const groupIds = new Set(instance.groups.filter((g) => g.memberIds.includes(userId)).map((g) => g.id));
  const byAccount = new Map<string, PortalAccount>();
  for (const assignment of instance.assignments) {
    if (!groupIds.has(assignment.groupId)) continue;
    const set = instance.permissionSets.find((p) => p.arn === assignment.permissionSetArn);
    const account = accounts.find((a) => a.id === assignment.accountId);
    if (!set || !account) continue;
    const entry = byAccount.get(account.id) ?? {
      accountId: account.id,
      name: account.name,
      alias: account.alias,
      permissionSets: [],
    };
    if (!entry.permissionSets.includes(set.name)) entry.permissionSets.push(set.name);
    byAccount.set(account.id, entry);
  }
  return [...byAccount.values()]
    .map((a) => ({ ...a, permissionSets: a.permissionSets.sort() }))
    .sort((a, b) => (a.alias ?? a.accountId).localeCompare(b.alias ?? b.accountId));
}

/**
 * Identity Center's ACS: a signed response from the instance's IdP whose NameID is the userName of an active
 * provisioned user opens the access portal. Anything else shows the sign-in error page.
 */
export function handleIdentityCenterAcs(
  instance: Readonly<IdentityCenterInstance>,
  accounts: readonly Account[],
  form: URLSearchParams,
  now: Date,
  /** Responses that already opened the portal: each opens it once. */
  used: UsedResponses,
): { status: number; html: string } {
  try {
    const samlResponse = form.get("SAMLResponse");
    if (!samlResponse) throw new Refused("The request has no SAMLResponse");
    const nameId = verifiedNameId(instance, samlResponse, now, used);
    const user = instance.users.find((u) => String(u.attributes.userName).toLowerCase() === nameId.toLowerCase());
    if (!user) throw new Refused(`No provisioned user has the userName ${nameId}`);
    if (user.attributes.active !== true) throw new Refused(`User ${nameId} is not active`);
    return {
      status: 200,
      html: portalPage({
        tenantId: instance.tenantId,
        userName: String(user.attributes.userName),
        displayName: String(user.attributes.displayName),
        accounts: portalAccounts(instance, user.id, accounts),
      }),
    };
  } catch (err) {
    if (err instanceof Refused) return { status: 400, html: portalErrorPage(err.message) };
    throw err;
  }
}
