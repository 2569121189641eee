import type { Element } from "@xmldom/xmldom";
import { childElements, descendants, NS, textOf } from "./xml.js";

export interface RolePair {
  roleArn: string;
  providerArn: string;
}

/** What AWS reads out of a verified assertion. Structural problems are reported, not thrown, for the caller to map. */
export interface SamlClaims {
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  subjectConfirmations: number;
  recipient: string | undefined;
  subjectNotOnOrAfter: Date | undefined;
  notBefore: Date | undefined;
  notOnOrAfter: Date | undefined;
  issueInstant: Date | undefined;
  audiences: string[];
  hasAuthnStatement: boolean;
  sessionNotOnOrAfter: Date | undefined;
  roleValues: string[];
  sessionNames: string[];
  sessionDurations: string[];
  sourceIdentities: string[];
  tags: Array<{ key: string; values: string[] }>;
  transitiveTagKeys: string[];
}

const ATTRIBUTE_PREFIXES = ["https://aws.amazon.com/SAML/Attributes/", "http://www.amazonaws.cn/SAML/Attributes/"];

const date = (value: string | null | undefined) => {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
};

function attributeValues(assertion: Element): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS.assertion, "AttributeStatement")) {
    for (const attribute of childElements(statement, NS.assertion, "Attribute")) {
      const name = attribute.getAttribute("Name") ?? "";
      const prefix = ATTRIBUTE_PREFIXES.find((p) => name.startsWith(p));
      if (!prefix) continue;
      const key = name.slice(prefix.length);
      const list = values.get(key) ?? [];
      for (const value of childElements(attribute, NS.assertion, "AttributeValue")) list.push(textOf(value));
      values.set(key, list);
    }
  }
  return values;
}

export function readClaims(assertion: Element): SamlClaims {
  const subject = childElements(assertion, NS.assertion, "Subject")[0];
  const nameId = subject ? childElements(subject, NS.assertion, "NameID")[0] : undefined;
  const confirmations = subject ? childElements(subject, NS.assertion, "SubjectConfirmation") : [];
  const confirmationData = confirmations[0]
    ? childElements(confirmations[0], NS.assertion, "SubjectConfirmationData")[0]
    : undefined;
  const conditions = childElements(assertion, NS.assertion, "Conditions")[0];
  const authn = childElements(assertion, NS.assertion, "AuthnStatement");
  const attributes = attributeValues(assertion);
  const tags: SamlClaims["tags"] = [];
  for (const [key, values] of attributes) {
    if (key.startsWith("PrincipalTag:")) tags.push({ key: key.slice("PrincipalTag:".length), values });
  }
  return {
    issuer: textOf(childElements(assertion, NS.assertion, "Issuer")[0]),
    nameId: textOf(nameId),
    nameIdFormat: nameId?.getAttribute("Format") ?? undefined,
    subjectConfirmations: confirmations.length,
    recipient: confirmationData?.getAttribute("Recipient") ?? undefined,
    subjectNotOnOrAfter: date(confirmationData?.getAttribute("NotOnOrAfter")),
    notBefore: date(conditions?.getAttribute("NotBefore")),
    notOnOrAfter: date(conditions?.getAttribute("NotOnOrAfter")),
    issueInstant: date(assertion.getAttribute("IssueInstant")),
    audiences: conditions ? descendants(conditions, NS.assertion, "Audience").map((a) => textOf(a)) : [],
    hasAuthnStatement: authn.length > 0,
    sessionNotOnOrAfter: date(authn[0]?.getAttribute("SessionNotOnOrAfter")),
    roleValues: attributes.get("Role") ?? [],
    sessionNames: attributes.get("RoleSessionName") ?? [],
    sessionDurations: attributes.get("SessionDuration") ?? [],
    sourceIdentities: attributes.get("SourceIdentity") ?? [],
    tags,
    transitiveTagKeys: attributes.get("TransitiveTagKeys") ?? [],
  };
}

/** A Role value is "role-arn,provider-arn" in either order. */
export function parseRoleValue(value: string): RolePair | undefined {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.length !== 2) return undefined;
  const role = parts.find((p) =>
    /^arn:aws(-us-gov|-cn)?:iam::\d{12}:role\/(?:[\x21-\x7E]*\/)?[\w+=,.@-]{1,64}$/.test(p),
  );
  const provider = parts.find((p) => /^arn:aws(-us-gov|-cn)?:iam::\d{12}:saml-provider\/[\w.-]{1,128}$/.test(p));
  return role && provider ? { roleArn: role, providerArn: provider } : undefined;
}
