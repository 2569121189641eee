import { SamlAttributeError } from "./errors.js";
import { isValidSessionName } from "./session-name.js";
import { escapeText, userAttribute, userText } from "./xml.js";

/** Attribute names AWS reads (case-sensitive). */
export const AWS_ATTRIBUTE = {
  role: "https://aws.amazon.com/SAML/Attributes/Role",
  roleSessionName: "https://aws.amazon.com/SAML/Attributes/RoleSessionName",
  sessionDuration: "https://aws.amazon.com/SAML/Attributes/SessionDuration",
  sourceIdentity: "https://aws.amazon.com/SAML/Attributes/SourceIdentity",
  principalTagPrefix: "https://aws.amazon.com/SAML/Attributes/PrincipalTag:",
  transitiveTagKeys: "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys",
} as const;

const URI_NAME_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const MAX_SESSION_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

export interface RolePairValue {
  roleArn: string;
  providerArn: string;
}

export interface AwsAttributes {
  roles: readonly RolePairValue[];
  /** `role,provider` is the order AWS documents; Okta sends `provider,role`. AWS accepts both. */
  roleValueOrder?: "role,provider" | "provider,role";
  /** Must already be valid; use sanitizeRoleSessionName on logins and emails. */
  roleSessionName: string;
  sessionDurationSeconds?: number;
  sourceIdentity?: string;
  principalTags?: Readonly<Record<string, string>>;
  transitiveTagKeys?: readonly string[];
}

/** Role values in stable first-seen order, one per distinct pair. */
export function roleAttributeValues(attributes: Pick<AwsAttributes, "roles" | "roleValueOrder">): string[] {
  const seen = new Set<string>();
  const providerFirst = attributes.roleValueOrder === "provider,role";
  for (const { roleArn, providerArn } of attributes.roles) {
    seen.add(providerFirst ? `${providerArn},${roleArn}` : `${roleArn},${providerArn}`);
  }
  return [...seen];
}

function attribute(name: string, escapedValues: readonly string[]): string {
  let xml = `<saml:Attribute Name="${name}" NameFormat="${URI_NAME_FORMAT}">`;
  for (const value of escapedValues) xml += `<saml:AttributeValue>${value}</saml:AttributeValue>`;
  return `${xml}</saml:Attribute>`;
}

function validate(attributes: AwsAttributes): void {
  if (attributes.roles.length === 0) throw new SamlAttributeError("Role", "at least one role pair is required");
  if (!isValidSessionName(attributes.roleSessionName)) {
    throw new SamlAttributeError(
      "RoleSessionName",
      "must be 2-64 characters of A-Z a-z 0-9 _+=,.@- (sanitize it first)",
    );
  }
  const duration = attributes.sessionDurationSeconds;
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= 900 && duration <= 43200)) {
    throw new SamlAttributeError("SessionDuration", `${duration} is not an integer number of seconds in 900-43200`);
  }
  if (attributes.sourceIdentity !== undefined && !isValidSessionName(attributes.sourceIdentity)) {
    throw new SamlAttributeError(
      "SourceIdentity",
      "must be 2-64 characters of A-Z a-z 0-9 _+=,.@- (sanitize it first)",
    );
  }
  const tags = Object.entries(attributes.principalTags ?? {});
  if (tags.length > MAX_SESSION_TAGS)
    throw new SamlAttributeError("PrincipalTag", `${tags.length} tags; AWS allows ${MAX_SESSION_TAGS}`);
  for (const [key, value] of tags) {
    if (!TAG_KEY.test(key))
      throw new SamlAttributeError(`PrincipalTag:${key}`, "key must be 1-128 letters, digits, spaces or _.:/=+-@");
    if (!TAG_VALUE.test(value))
      throw new SamlAttributeError(`PrincipalTag:${key}`, "value must be 0-256 letters, digits, spaces or _.:/=+-@");
  }
  for (const key of attributes.transitiveTagKeys ?? []) {
    if (!attributes.principalTags || !Object.hasOwn(attributes.principalTags, key)) {
      throw new SamlAttributeError("TransitiveTagKeys", `"${key}" is not one of the PrincipalTag keys`);
    }
  }
}

/** The AttributeStatement, validated and escaped, in canonical form. */
export function attributeStatement(attributes: AwsAttributes): string {
  validate(attributes);
  let xml = "<saml:AttributeStatement>";
  xml += attribute(
    AWS_ATTRIBUTE.role,
    roleAttributeValues(attributes).map((value) => userText("Role", value)),
  );
  xml += attribute(AWS_ATTRIBUTE.roleSessionName, [escapeText(attributes.roleSessionName)]);
  if (attributes.sessionDurationSeconds !== undefined) {
    xml += attribute(AWS_ATTRIBUTE.sessionDuration, [String(attributes.sessionDurationSeconds)]);
  }
  if (attributes.sourceIdentity !== undefined) {
    xml += attribute(AWS_ATTRIBUTE.sourceIdentity, [escapeText(attributes.sourceIdentity)]);
  }
  for (const [key, value] of Object.entries(attributes.principalTags ?? {})) {
    xml += attribute(userAttribute("PrincipalTag key", AWS_ATTRIBUTE.principalTagPrefix + key), [
      userText(`PrincipalTag:${key}`, value),
    ]);
  }
  if (attributes.transitiveTagKeys && attributes.transitiveTagKeys.length > 0) {
    xml += attribute(
      AWS_ATTRIBUTE.transitiveTagKeys,
      attributes.transitiveTagKeys.map((key) => userText("TransitiveTagKeys", key)),
    );
  }
  return `${xml}</saml:AttributeStatement>`;
}
