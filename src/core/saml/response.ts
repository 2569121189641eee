import { randomBytes } from "node:crypto";
import { type AwsAttributes, attributeStatement } from "./attributes.js";
import { SamlConfigurationError, SamlResponseTooLargeError } from "./errors.js";
import { type AwsPartition, partitionInfo } from "./partitions.js";
import { envelopedSignature, type XmlSigner } from "./signature.js";
import { samlInstant, userAttribute, userText } from "./xml.js";

export const SAML_PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
export const SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
export const NAME_ID_FORMAT = {
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  transient: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
  emailAddress: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
  unspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
} as const;
const PASSWORD_PROTECTED_TRANSPORT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

/** AssumeRoleWithSAML's documented maximum length of the base64 `SAMLAssertion` parameter. */
export const AWS_MAX_SAML_RESPONSE_BASE64 = 100_000;

export interface SamlResponseOptions extends AwsAttributes {
  /** The AttributeStatement sent: AWS IAM federation's Role, RoleSessionName... (the default). */
  attributes?: "aws";
  /** IdP entityID: must equal the entityID of the metadata uploaded to the IAM SAML provider. */
  issuer: string;
  partition: AwsPartition;
  /** ACS posted to (Destination and Recipient); defaults to the partition's sign-in URL. */
  acsUrl?: string;
  /** Defaults to the partition's audience (`urn:amazon:webservices`...). */
  audience?: string;
  nameId: string;
  nameIdFormat?: string;
  /** Only for SP-initiated flows; AWS IAM federation is IdP-initiated. */
  inResponseTo?: string;
  sessionIndex?: string;
  authnInstant?: Date;
  /** How long the assertion may be presented. Default 300 s. */
  lifetimeSeconds?: number;
  /** NotBefore is set this far in the past to tolerate clock skew. Default 60 s. */
  clockSkewSeconds?: number;
  signAssertion?: boolean;
  signResponse?: boolean;
  maxBase64Length?: number;
  /** Injectable for tests. */
  now?: () => Date;
  generateId?: () => string;
}

/**
 * A Response that carries only the subject (no AttributeStatement), for a SAML SP other than AWS IAM
 * federation — IAM Identity Center reads nothing but the NameID. It has no partition to derive defaults
 * from, so its ACS and audience are required.
 */
export interface NameIdOnlyResponseOptions
  extends Omit<SamlResponseOptions, keyof AwsAttributes | "attributes" | "partition" | "acsUrl" | "audience"> {
  attributes: "none";
  acsUrl: string;
  audience: string;
}

type ResponseOptions = SamlResponseOptions | NameIdOnlyResponseOptions;

export interface SamlResponse {
  xml: string;
  /** What the auto-POST form sends as `SAMLResponse`. */
  base64: string;
  responseId: string;
  assertionId: string;
  roleCount: number;
}

const NCNAME_ID = /^[A-Za-z_][\w.-]*$/;

// One randomBytes call per 100 ids: the syscall per id was a tenth of a response's non-RSA time.
const ID_BYTES = 20;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

/** `_` + 160 random bits in hex: an NCName, as XML IDs must be. */
export function defaultSamlId(): string {
  if (randomOffset + ID_BYTES > randomPool.length) {
    randomPool = randomBytes(ID_BYTES * 100);
    randomOffset = 0;
  }
  const id = `_${randomPool.toString("hex", randomOffset, randomOffset + ID_BYTES)}`;
  randomOffset += ID_BYTES;
  return id;
}

function checkedId(generateId: () => string): string {
  const id = generateId();
  if (!NCNAME_ID.test(id)) throw new SamlConfigurationError("generateId", `"${id}" is not an XML ID (NCName)`);
  return id;
}

function checkSeconds(setting: string, value: number | undefined, minimum: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= minimum && value <= 86_400)) {
    throw new SamlConfigurationError(setting, `${value} is not a whole number of seconds in ${minimum}-86400`);
  }
}

interface Instants {
  issueInstant: string;
  notBefore: string;
  notOnOrAfter: string;
  authnInstant: string;
}

function instants(options: ResponseOptions, now: Date): Instants {
  const issueInstant = samlInstant(now);
  return {
    issueInstant,
    notBefore: samlInstant(new Date(now.getTime() - (options.clockSkewSeconds ?? 60) * 1000)),
    notOnOrAfter: samlInstant(new Date(now.getTime() + (options.lifetimeSeconds ?? 300) * 1000)),
    authnInstant: options.authnInstant ? samlInstant(options.authnInstant) : issueInstant,
  };
}

/** Where the Response goes and whom it is for: as given, else the partition's sign-in defaults. */
function addressing(options: ResponseOptions): { acsUrl: string; audience: string } {
  if (options.attributes === "none") return { acsUrl: options.acsUrl, audience: options.audience };
  const partition = partitionInfo(options.partition);
  return { acsUrl: options.acsUrl ?? partition.acsUrl, audience: options.audience ?? partition.audience };
}

/** The assertion split where its Signature goes (right after Issuer, as the schema orders it). */
function assertionParts(
  options: ResponseOptions,
  id: string,
  time: Instants,
  acsUrl: string,
  inResponseTo: string,
): { head: string; tail: string } {
  const { issueInstant, notBefore, notOnOrAfter } = time;
  const sessionIndex = userAttribute("sessionIndex", options.sessionIndex ?? id);
  const head =
    `<saml:Assertion xmlns:saml="${SAML_ASSERTION_NS}" ID="${id}" IssueInstant="${issueInstant}" Version="2.0">` +
    `<saml:Issuer>${userText("issuer", options.issuer)}</saml:Issuer>`;
  const tail =
    `<saml:Subject><saml:NameID Format="${userAttribute("nameIdFormat", options.nameIdFormat ?? NAME_ID_FORMAT.persistent)}">` +
    `${userText("nameId", options.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} ` +
    `NotOnOrAfter="${notOnOrAfter}" Recipient="${acsUrl}"></saml:SubjectConfirmationData></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>` +
    `${userText("audience", addressing(options).audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${time.authnInstant}" SessionIndex="${sessionIndex}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${PASSWORD_PROTECTED_TRANSPORT}</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>${options.attributes === "none" ? "" : attributeStatement(options)}</saml:Assertion>`;
  return { head, tail };
}

function responseOpenTag(options: ResponseOptions, id: string, time: Instants, acsUrl: string, inResponseTo: string) {
  return (
    `<samlp:Response xmlns:samlp="${SAML_PROTOCOL_NS}" Destination="${acsUrl}" ID="${id}"${inResponseTo} ` +
    `IssueInstant="${time.issueInstant}" Version="2.0">` +
    `<saml:Issuer xmlns:saml="${SAML_ASSERTION_NS}">${userText("issuer", options.issuer)}</saml:Issuer>`
  );
}

const STATUS_SUCCESS =
  '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"></samlp:StatusCode></samlp:Status>';

/**
 * Builds the SAML 2.0 Response AWS sign-in and AssumeRoleWithSAML accept, signing the Assertion
 * and/or the Response (assertion first, so the Response signature covers the signed assertion).
 * With `attributes: "none"` the same Response carries no AttributeStatement (IAM Identity Center).
 * The XML is emitted in exclusive-c14n form, so digests are computed over the strings directly.
 * @throws SamlAttributeError, SamlInvalidXmlCharacterError, SamlConfigurationError, SamlResponseTooLargeError
 */
export function buildSignedResponse(signer: XmlSigner, options: ResponseOptions): SamlResponse {
  const signAssertion = options.signAssertion ?? true;
  const signResponse = options.signResponse ?? true;
  if (!signAssertion && !signResponse) {
    throw new SamlConfigurationError(
      "signAssertion",
      "AWS requires a signature: sign the assertion, the response or both",
    );
  }
  const now = (options.now ?? (() => new Date()))();
  if (Number.isNaN(now.getTime())) throw new SamlConfigurationError("now", "the clock returned an invalid date");
  checkSeconds("lifetimeSeconds", options.lifetimeSeconds, 1);
  checkSeconds("clockSkewSeconds", options.clockSkewSeconds, 0);
  const generateId = options.generateId ?? defaultSamlId;
  const responseId = checkedId(generateId);
  const assertionId = checkedId(generateId);

  const time = instants(options, now);
  // Destination and Recipient: the ACS posted to, which trust policies check as SAML:aud.
  const acsUrl = userAttribute("acsUrl", addressing(options).acsUrl);
  const inResponseTo = options.inResponseTo
    ? ` InResponseTo="${userAttribute("inResponseTo", options.inResponseTo)}"`
    : "";
  const { head, tail } = assertionParts(options, assertionId, time, acsUrl, inResponseTo);
  const assertion = signAssertion ? head + envelopedSignature(signer, assertionId, head + tail) + tail : head + tail;

  const open = responseOpenTag(options, responseId, time, acsUrl, inResponseTo);
  const rest = `${STATUS_SUCCESS}${assertion}</samlp:Response>`;
  const xml = signResponse ? open + envelopedSignature(signer, responseId, open + rest) + rest : open + rest;

  const base64 = Buffer.from(xml, "utf8").toString("base64");
  const limit = options.maxBase64Length ?? AWS_MAX_SAML_RESPONSE_BASE64;
  const roleCount =
    options.attributes === "none" ? 0 : new Set(options.roles.map((r) => `${r.roleArn},${r.providerArn}`)).size;
  if (base64.length > limit) throw new SamlResponseTooLargeError(roleCount, base64.length, limit);
  return { xml, base64, responseId, assertionId, roleCount };
}
