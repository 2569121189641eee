import { trustAllows } from "../auth/authorize.js";
import type { RolePair } from "../saml/claims.js";
import { notAuthorized, type VerifiedSaml } from "../saml/validate.js";
import type { Role, SandboxState } from "../state/model.js";

const toSandboxPartition = (arn: string) => arn.replace(/^arn:aws(-us-gov|-cn)?:/, "arn:aws:");

/**
 * Whether a verified response may assume the role of one of its pairs: the role exists in the provider's
 * account and its trust policy lets the provider call sts:AssumeRoleWithSAML with this Recipient as SAML:aud,
 * and also sts:TagSession / sts:SetSourceIdentity when the response carries tags or a source identity.
 */
export async function samlRoleFor(state: Readonly<SandboxState>, saml: VerifiedSaml, pair: RolePair): Promise<Role> {
  const arn = toSandboxPartition(pair.roleArn);
  const role = state.roles.find((r) => r.arn === arn);
  if (
    !role ||
    role.accountId !== saml.provider.accountId ||
    toSandboxPartition(pair.providerArn) !== saml.provider.arn
  ) {
    throw notAuthorized();
  }
  const context: Record<string, string | string[]> = {
    "saml:aud": saml.claims.recipient ?? "",
    "saml:iss": saml.claims.issuer,
    "saml:sub": saml.claims.nameId,
  };
  const companions: Array<string | undefined> = [undefined];
  if (Object.keys(saml.tags).length > 0) companions.push("sts:TagSession");
  if (saml.sourceIdentity !== undefined) companions.push("sts:SetSourceIdentity");
  for (const companion of companions) {
    const allowed = await trustAllows(
      role.trustPolicy,
      saml.provider.arn,
      "sts:AssumeRoleWithSAML",
      role,
      context,
      companion,
    );
    if (!allowed) throw notAuthorized();
  }
  return role;
}
