import { createHash } from "node:crypto";
import type { Element } from "@xmldom/xmldom";
import { AwsError } from "../protocol/errors.js";
import type { SamlProvider, SandboxState } from "../state/model.js";
import { parseRoleValue, type RolePair, readClaims, type SamlClaims } from "./claims.js";
import { parseIdpMetadata } from "./metadata.js";
import { signedAssertion } from "./signature.js";
import { childElements, descendants, NS, parseXml, textOf } from "./xml.js";

/**
 * AWS documents no clock-skew allowance, so the sandbox is strict: an assertion past its NotOnOrAfter is
 * expired at once. Only NotBefore and IssueInstant get one second, the granularity of the times IdPs write.
 */
export const NOT_BEFORE_GRANULARITY_MS = 1000;
/** AWS refuses assertions issued more than five minutes before they are redeemed. */
const MAX_ASSERTION_AGE_MS = 5 * 60_000;
const NAME_PATTERN = /^[A-Za-z0-9_+=,.@-]{2,64}$/;

export const invalidToken = (message: string) => new AwsError("InvalidIdentityToken", message, 400);
const expired = (message: string) => new AwsError("ExpiredTokenException", message, 400);
export const notAuthorized = () =>
  new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403);

export interface DecodedResponse {
  xml: string;
  response: Element;
}

export function decodeSamlResponse(base64: string): DecodedResponse {
  const compact = base64.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw invalidToken("Invalid base64 SAML response");
  const xml = Buffer.from(compact, "base64").toString("utf8");
  const response = parseXml(xml)?.documentElement;
  if (!response || response.namespaceURI !== NS.protocol || response.localName !== "Response") {
    throw invalidToken("Invalid SAML response");
  }
  return { xml, response };
}

/** Provider ARNs named by the (not yet verified) Role attribute; the ACS needs them to pick the verifying key. */
export function namedProviders(response: Element): string[] {
  const arns = new Set<string>();
  for (const attribute of descendants(response, NS.assertion, "Attribute")) {
    if (!/\/SAML\/Attributes\/Role$/.test(attribute.getAttribute("Name") ?? "")) continue;
    for (const value of descendants(attribute, NS.assertion, "AttributeValue")) {
      const pair = parseRoleValue(textOf(value));
      if (pair) arns.add(pair.providerArn);
    }
  }
  return [...arns];
}

export interface VerifiedSaml {
  claims: SamlClaims;
  provider: SamlProvider;
  rolePairs: RolePair[];
  sessionName: string;
  sourceIdentity: string | undefined;
  tags: Record<string, string>;
  /** Seconds; from the SessionDuration attribute. */
  sessionDuration: number | undefined;
  expiresAt: Date | undefined;
}

export function findProvider(state: Readonly<SandboxState>, providerArn: string): SamlProvider {
  const arn = providerArn.replace(/^arn:aws(-us-gov|-cn)?:/, "arn:aws:");
  const provider = state.samlProviders.find((p) => p.arn === arn);
  if (!provider) throw invalidToken("Specified provider doesn't exist");
  return provider;
}

/**
 * Everything AWS checks in a SAML response before it looks at roles: the signature against the provider's
 * metadata, Issuer, status, a single bearer SubjectConfirmation, the accepted audience, validity times and the
 * session attributes. `acceptsAudience` differs between partitions; The Recipient is checked by the caller
 * (trust policy for STS, the ACS URL for sign-in).
 */
export function verifySamlResponse(
  decoded: DecodedResponse,
  provider: SamlProvider,
  acceptsAudience: (audience: string) => boolean,
  now: Date,
): VerifiedSaml {
  const metadata = parseIdpMetadata(provider.metadata);
  if (typeof metadata === "string") throw invalidToken("Response signature invalid");
  const assertion = signedAssertion(decoded.xml, decoded.response, metadata.signingCertificates);
  if (!assertion) throw invalidToken("Response signature invalid");
  const claims = readClaims(assertion);

  const statusCode = descendants(decoded.response, NS.protocol, "StatusCode")[0]?.getAttribute("Value");
  if (statusCode !== "urn:oasis:names:tc:SAML:2.0:status:Success") throw invalidToken("Response status is not Success");
  if (claims.issuer !== metadata.entityId) {
    throw invalidToken("Issuer of the SAML response does not match the issuer of the specified provider");
  }
  const responseIssuer = textOf(childElements(decoded.response, NS.assertion, "Issuer")[0]);
  if (responseIssuer && responseIssuer !== metadata.entityId) {
    throw invalidToken("Issuer of the SAML response does not match the issuer of the specified provider");
  }
  if (claims.subjectConfirmations !== 1) throw invalidToken("Response must contain exactly one SubjectConfirmation");
  if (!claims.recipient || !claims.subjectNotOnOrAfter) {
    throw invalidToken("SubjectConfirmationData must contain Recipient and NotOnOrAfter");
  }
  if (!claims.audiences.some(acceptsAudience)) {
    throw invalidToken("Response does not contain the required audience.");
  }
  if (!claims.hasAuthnStatement) throw invalidToken("Response does not contain an AuthnStatement");
  checkTimes(claims, now);

  if (claims.sessionNames.length === 0) throw invalidToken("RoleSessionName is required in AuthnResponse");
  const sessionName = claims.sessionNames[0] ?? "";
  if (claims.sessionNames.length > 1 || !NAME_PATTERN.test(sessionName)) {
    throw invalidToken("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
  }
  const sourceIdentity = claims.sourceIdentities[0];
  if (sourceIdentity !== undefined && (!NAME_PATTERN.test(sourceIdentity) || sourceIdentity.startsWith("aws:"))) {
    throw invalidToken('Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"');
  }
  let sessionDuration: number | undefined;
  if (claims.sessionDurations.length > 0) {
    const raw = claims.sessionDurations[0] ?? "";
    sessionDuration = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(sessionDuration >= 900 && sessionDuration <= 43200)) {
      throw invalidToken("SessionDuration in AuthnResponse must be between 900 and 43200 seconds");
    }
  }
  const rolePairs = claims.roleValues.flatMap((value) => {
    const pair = parseRoleValue(value);
    return pair ? [pair] : [];
  });
  return {
    claims,
    provider,
    rolePairs,
    sessionName,
    sourceIdentity,
    tags: sessionTags(claims),
    sessionDuration,
    expiresAt: claims.sessionNotOnOrAfter,
  };
}

function checkTimes(claims: SamlClaims, now: Date): void {
  const t = now.getTime();
  if (claims.notBefore && claims.notBefore.getTime() > t + NOT_BEFORE_GRANULARITY_MS)
    throw invalidToken("Response is not yet valid");
  for (const limit of [claims.notOnOrAfter, claims.subjectNotOnOrAfter]) {
    if (limit && limit.getTime() <= t) throw expired("Response has expired (NotOnOrAfter is in the past)");
  }
  if (claims.issueInstant && claims.issueInstant.getTime() < t - MAX_ASSERTION_AGE_MS) {
    throw expired("Token must be redeemed within 5 minutes of issuance");
  }
}

function sessionTags(claims: SamlClaims): Record<string, string> {
  if (claims.tags.length > 50) throw invalidToken("Session tags exceed the limit of 50");
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { key, values } of claims.tags) {
    const value = values[0] ?? "";
    if (values.length !== 1 || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || value.length > 256) {
      throw invalidToken(`Invalid session tag ${key}`);
    }
    if (seen.has(key.toLowerCase())) throw invalidToken(`Duplicate session tag key ${key}`);
    seen.add(key.toLowerCase());
    tags[key] = value;
  }
  return tags;
}

/** AWS's opaque NameQualifier: base64(SHA-1(Issuer + account id + "/" + provider name)). */
export function nameQualifier(issuer: string, provider: SamlProvider): string {
  return createHash("sha1").update(`${issuer}${provider.accountId}/${provider.name}`).digest("base64");
}

export function subjectType(format: string | undefined): string {
  if (format === "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent") return "persistent";
  if (format === "urn:oasis:names:tc:SAML:2.0:nameid-format:transient") return "transient";
  return format ?? "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
}
