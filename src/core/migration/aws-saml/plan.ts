import { DomainError } from "../../errors.js";
import { PROVIDER_NAME_PATTERN, providerArnFor } from "../../rolemap/arn.js";
import type { AccountSamlState } from "./account-state.js";
import { withSamlStatement } from "./trust-policy.js";

/** What every account should end up with: the target app's provider, trusted by the mapped roles for its ACS. */
export interface SamlTarget {
  providerName: string;
  /** The target app's IdP metadata XML, uploaded as the provider's SAMLMetadataDocument. */
  metadata: string;
  /** The `SAML:aud` values: the app's ACS URL (and any other ACS people sign in through). */
  acsUrls: readonly string[];
}

export interface ProviderChange {
  action: "create" | "update" | "unchanged";
  arn: string;
  name: string;
  /** The metadata in the account now (null when the provider does not exist). */
  metadataBefore: string | null;
}

export interface TrustChange {
  roleArn: string;
  roleName: string;
  /** `missing`: the plan maps a role the account does not have; nothing can be done for it here. */
  action: "add" | "unchanged" | "missing";
  /** The trust policy now and after the change (both null for a missing role; equal when unchanged). */
  before: string | null;
  after: string | null;
}

/** The dry-run diff for one account. `empty` means applying it would change nothing. */
export interface AccountSamlPlan {
  accountId: string;
  provider: ProviderChange;
  roles: TrustChange[];
  empty: boolean;
}

export function checkTarget(target: SamlTarget): void {
  const problems: string[] = [];
  if (!PROVIDER_NAME_PATTERN.test(target.providerName))
    problems.push(`provider name ${JSON.stringify(target.providerName)} must match [\\w.-]{1,128}`);
  if (target.metadata.length < 1000 || target.metadata.length > 10_000_000)
    problems.push("metadata must be 1,000 to 10,000,000 characters, as IAM requires");
  if (target.acsUrls.length === 0) problems.push("at least one ACS URL is needed for the SAML:aud condition");
  for (const acs of target.acsUrls) if (!/^https?:\/\/\S+$/.test(acs)) problems.push(`ACS ${acs} is not a URL`);
  if (problems.length > 0) {
    throw new DomainError("validation_failed", `SAML setup target: ${problems.join("; ")}`, {
      errors: problems.map((message) => ({ path: "/target", message })),
    });
  }
}

/**
 * Pure: the changes that bring one account from `state` to `target`. Planning again on the applied state gives an
 * empty plan, which is what makes re-running the apply safe.
 */
export function planAccount(state: AccountSamlState, target: SamlTarget): AccountSamlPlan {
  checkTarget(target);
  const arn = providerArnFor(state.partition, state.accountId, target.providerName);
  const metadataBefore = state.provider?.metadata ?? null;
  const provider: ProviderChange = {
    action: metadataBefore === null ? "create" : metadataBefore === target.metadata ? "unchanged" : "update",
    arn,
    name: target.providerName,
    metadataBefore,
  };
  const roles = state.roles.map((role): TrustChange => {
    if (role.trustPolicy === null)
      return { roleArn: role.arn, roleName: role.name, action: "missing", before: null, after: null };
    const after = withSamlStatement(role.trustPolicy, role.arn, arn, target.providerName, target.acsUrls);
    return {
      roleArn: role.arn,
      roleName: role.name,
      action: after === null ? "unchanged" : "add",
      before: role.trustPolicy,
      after: after ?? role.trustPolicy,
    };
  });
  return {
    accountId: state.accountId,
    provider,
    roles,
    empty: provider.action === "unchanged" && roles.every((r) => r.action !== "add"),
  };
}

/** A human-readable diff: one line per change, the trust documents shown before and after. */
export function describeAccountPlan(plan: AccountSamlPlan): string {
  const lines = [`account ${plan.accountId}`];
  const p = plan.provider;
  lines.push(
    p.action === "unchanged"
      ? `  = SAML provider ${p.arn} (metadata unchanged)`
      : `  ${p.action === "create" ? "+ create" : "~ update metadata of"} SAML provider ${p.arn}`,
  );
  for (const role of plan.roles) {
    if (role.action === "missing") lines.push(`  ! role ${role.roleArn} does not exist: skipped`);
    else if (role.action === "unchanged") lines.push(`  = role ${role.roleArn} already trusts the provider`);
    else {
      lines.push(`  ~ role ${role.roleArn}: add one sts:AssumeRoleWithSAML statement`);
      lines.push(...unifiedLines(role.before ?? "", role.after ?? "").map((l) => `      ${l}`));
    }
  }
  return lines.join("\n");
}

/** A minimal line diff (common prefix and suffix kept as context) — enough for documents of a few dozen lines. */
function unifiedLines(before: string, after: string): string[] {
  const a = pretty(before).split("\n");
  const b = pretty(after).split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return [
    ...a.slice(0, start).map((l) => `  ${l}`),
    ...a.slice(start, endA).map((l) => `- ${l}`),
    ...b.slice(start, endB).map((l) => `+ ${l}`),
    ...a.slice(endA).map((l) => `  ${l}`),
  ];
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
