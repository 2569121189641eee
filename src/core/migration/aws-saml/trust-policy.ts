import { isDeepStrictEqual } from "node:util";
import { DomainError } from "../../errors.js";

/**
 * A role's trust policy, read and changed as JSON without touching the statements already in it: rolebridge only
 * ever appends one statement of its own and later removes exactly that statement.
 */

export type Statement = Record<string, unknown>;
export interface TrustDocument {
  Version?: string;
  Statement: Statement[];
  [key: string]: unknown;
}

const ACTION = "sts:AssumeRoleWithSAML";

/** IAM Sids are alphanumeric; one per provider, so two apps' statements never collide. */
export function statementSid(providerName: string): string {
  return `RolebridgeSaml${providerName.replace(/[^A-Za-z0-9]/g, "")}`;
}

/** The one statement rolebridge adds: the provider may call AssumeRoleWithSAML for responses meant for these ACS. */
export function samlStatement(providerArn: string, providerName: string, acsUrls: readonly string[]): Statement {
  return {
    Sid: statementSid(providerName),
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: ACTION,
    Condition: { StringEquals: { "SAML:aud": acsUrls.length === 1 ? acsUrls[0] : [...acsUrls] } },
  };
}

export function parseTrustDocument(text: string, roleArn: string): TrustDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DomainError("remote_failed", `the trust policy of ${roleArn} is not valid JSON`, { roleArn });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new DomainError("remote_failed", `the trust policy of ${roleArn} is not a JSON object`, { roleArn });
  }
  const doc = parsed as Record<string, unknown>;
  // IAM accepts a single statement object as well as a list; keep the list form once we touch the document.
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return { ...doc, Statement: statements as Statement[] };
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function hasKey(record: Record<string, unknown>, wanted: string): unknown {
  const key = Object.keys(record).find((k) => k.toLowerCase() === wanted.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/**
 * Whether a statement already lets the provider in for every one of these audiences with nothing narrower: an Allow
 * for the action from the provider, and no condition beyond `StringEquals SAML:aud` covering the ACS URLs.
 */
export function statementGrants(statement: Statement, providerArn: string, acsUrls: readonly string[]): boolean {
  if (statement.Effect !== "Allow" || statement.NotPrincipal !== undefined || statement.NotAction !== undefined)
    return false;
  const principal = statement.Principal as Record<string, unknown> | undefined;
  if (typeof principal !== "object" || principal === null) return false;
  if (!listOf(hasKey(principal, "Federated")).includes(providerArn)) return false;
  if (!listOf(statement.Action).some((a) => typeof a === "string" && a.toLowerCase() === ACTION.toLowerCase()))
    return false;
  const condition = statement.Condition as Record<string, unknown> | undefined;
  if (condition === undefined) return true;
  if (typeof condition !== "object" || condition === null || Object.keys(condition).length !== 1) return false;
  const equals = hasKey(condition, "StringEquals") as Record<string, unknown> | undefined;
  if (typeof equals !== "object" || equals === null || Object.keys(equals).length !== 1) return false;
  const audiences = listOf(hasKey(equals, "SAML:aud"));
  return acsUrls.every((acs) => audiences.includes(acs));
}

export function trustGrants(doc: TrustDocument, providerArn: string, acsUrls: readonly string[]): boolean {
  return doc.Statement.some((s) => statementGrants(s, providerArn, acsUrls));
}

/**
 * The same policy, whatever the whitespace: what IAM hands back may be formatted differently from what was sent, and
 * a step must still recognise its own write.
 */
export function sameDocument(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return isDeepStrictEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

/** IAM keeps a document as uploaded; indented text reads well in a diff and whitespace does not count to the quota. */
export const renderTrustDocument = (doc: TrustDocument): string => JSON.stringify(doc, null, 2);

/** The document with our statement appended, every existing one left as it was; null when nothing is needed. */
export function withSamlStatement(
  text: string,
  roleArn: string,
  providerArn: string,
  providerName: string,
  acsUrls: readonly string[],
): string | null {
  const doc = parseTrustDocument(text, roleArn);
  if (trustGrants(doc, providerArn, acsUrls)) return null;
  const sid = statementSid(providerName);
  // A statement with our Sid but other content (an older ACS list) is replaced, not duplicated: Sids are unique.
  const kept = doc.Statement.filter((s) => s.Sid !== sid);
  return renderTrustDocument({
    ...doc,
    Version: doc.Version ?? "2012-10-17",
    Statement: [...kept, samlStatement(providerArn, providerName, acsUrls)],
  });
}

/** The document without exactly the statement we added (deep-equal); null when it is not there. */
export function withoutStatement(text: string, roleArn: string, added: Statement): string | null {
  const doc = parseTrustDocument(text, roleArn);
  const kept = doc.Statement.filter((s) => !isDeepStrictEqual(s, added));
  if (kept.length === doc.Statement.length) return null;
  return renderTrustDocument({ ...doc, Statement: kept });
}
