import type { AwsPartition } from "../rolemap/arn.js";

/** What the audit knows about the integration and the accounts it reaches. */
export interface IntegrationContext {
  partition: AwsPartition;
  /** The account of the API-mode keys (where ListRoles runs directly). */
  sourceAccountId: string;
  /** The principal the policies are attached to (user or role ARN). */
  principalArn: string;
  crossAccountRoleName: string;
  /** Every connected account with the roles read from it; `reachable: false` when it could not be read. */
  accounts: Array<{
    accountId: string;
    reachable: boolean;
    error?: string | null;
    roles: Array<{ arn: string; name: string; path: string; trustPolicy?: string | null }>;
  }>;
}

/** The ARN the integration assumes in an account: the role as listed there (with its path), else by name. */
export function crossAccountRoleArnIn(ctx: IntegrationContext, accountId: string): string {
  const account = ctx.accounts.find((a) => a.accountId === accountId);
  const listed = account?.roles.find((r) => r.name === ctx.crossAccountRoleName);
  return listed?.arn ?? `arn:${ctx.partition}:iam::${accountId}:role/${ctx.crossAccountRoleName}`;
}

/** Connected accounts other than the keys' own: those the integration assumes the cross-account role in. */
export const assumedAccounts = (ctx: IntegrationContext) =>
  ctx.accounts.map((a) => a.accountId).filter((id) => id !== ctx.sourceAccountId);
