/**
 * Whether a role's trust policy lets any SAML provider in: an Allow statement whose actions include
 * sts:AssumeRoleWithSAML (or a wildcard covering it) and whose Federated principal names a saml-provider.
 * Roles that fail this (OrganizationAccountAccessRole, the cross-account role itself) can never be signed in to
 * through rolebridge, so the role pickers leave them out by default.
 *
 * An unreadable or absent document answers true: we cannot tell, and hiding a role the admin needs is worse
 * than showing one they cannot use.
 */
export function admitsSamlProvider(trustPolicy: string | null): boolean {
  if (trustPolicy === null) return true;
  let doc: unknown;
  try {
    doc = JSON.parse(trustPolicy);
  } catch {
    return true;
  }
  if (!isObject(doc)) return true;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some(
    (s) =>
      isObject(s) &&
      s.Effect === "Allow" &&
      list(s.Action).some((a) => /^(\*|sts:\*|sts:AssumeRoleWithSAML)$/i.test(a)) &&
      isObject(s.Principal) &&
      list(s.Principal.Federated).some((p) => /^arn:aws[a-z-]*:iam::\d{12}:saml-provider\/.+/.test(p)),
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
