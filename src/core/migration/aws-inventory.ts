import { type IAMClient, ListSAMLProvidersCommand, paginateListRoles } from "@aws-sdk/client-iam";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "../aws/clients.js";
import { assumeCrossAccountRole, callerIdentity } from "../aws/role-discovery.js";
import { type AwsAccountState, compareBy, type InventoryRole, sortStrings } from "./model.js";

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The SAML providers a trust policy lets assume the role with AssumeRoleWithSAML (Allow statements only). */
export function samlProvidersTrusted(policyDocument: string | undefined): string[] {
  if (!policyDocument) return [];
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(decodeURIComponent(policyDocument)) as { Statement?: unknown };
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const st of asArray(doc.Statement) as Array<Record<string, unknown>>) {
    if (st?.Effect !== "Allow") continue;
    const actions = asArray(st.Action).map(String);
    if (!actions.some((a) => a === "sts:AssumeRoleWithSAML" || a === "sts:*" || a === "*")) continue;
    const principal = st.Principal as Record<string, unknown> | undefined;
    for (const p of asArray(principal?.Federated)) if (typeof p === "string") out.add(p);
  }
  return sortStrings(out);
}

async function readAccount(iam: IAMClient): Promise<AwsAccountState> {
  const roles: InventoryRole[] = [];
  const trusts: AwsAccountState["trusts"] = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 100 }, {})) {
    for (const r of page.Roles ?? []) {
      if (!r.Arn || !r.RoleName) continue;
      roles.push({ arn: r.Arn, name: r.RoleName, path: r.Path ?? "/" });
      trusts.push({ roleArn: r.Arn, providerArns: samlProvidersTrusted(r.AssumeRolePolicyDocument) });
    }
  }
  let providers: AwsAccountState["providers"] = null;
  let providersError: string | null = null;
  try {
    const listed = await iam.send(new ListSAMLProvidersCommand({}));
    providers = (listed.SAMLProviderList ?? [])
      .flatMap((p) => (p.Arn ? [{ arn: p.Arn, name: p.Arn.slice(p.Arn.indexOf(":saml-provider/") + 15) }] : []))
      .sort(compareBy((p) => p.arn));
  } catch (err) {
    // Okta's API-mode policy grants only ListRoles and ListAccountAliases: providers are then known only
    // through the trust policies that name them.
    const { code, message } = awsErrorSummary(err);
    providersError = `${code}: ${message}`;
  }
  return {
    status: "ok",
    error: null,
    roles: roles.sort(compareBy((r) => r.arn)),
    providers,
    providersError,
    trusts: trusts.sort(compareBy((t) => t.roleArn)),
  };
}

/**
 * Reads each account with the legacy app's own keys (directly in their account, through the cross-account
 * role elsewhere): the roles AWS lists now, its SAML providers, and which providers each role trusts. An
 * account that cannot be reached is reported as such; it does not stop the others.
 */
export async function readAwsAccounts(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: { accountIds: readonly string[]; crossAccountRoleName: string; concurrency?: number },
): Promise<Map<string, AwsAccountState>> {
  const out = new Map<string, AwsAccountState>();
  const unreachable = (error: string): AwsAccountState => ({
    status: "unreachable",
    error,
    roles: null,
    providers: null,
    providersError: null,
    trusts: [],
  });
  let self: string;
  try {
    self = (await callerIdentity(factory, target, credentials)).accountId;
  } catch (err) {
    const { code, message } = awsErrorSummary(err);
    for (const id of opts.accountIds) out.set(id, unreachable(`${code}: ${message}`));
    return out;
  }
  const { sts } = await factory(target, credentials);
  let next = 0;
  const worker = async () => {
    while (next < opts.accountIds.length) {
      const accountId = opts.accountIds[next++]!;
      try {
        const creds =
          accountId === self
            ? credentials
            : await assumeCrossAccountRole(sts, target, accountId, opts.crossAccountRoleName, "rolebridge-migration");
        out.set(accountId, await readAccount((await factory(target, creds)).iam));
      } catch (err) {
        const { code, message } = awsErrorSummary(err);
        out.set(accountId, unreachable(`${code}: ${message}`));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, opts.accountIds.length) }, worker));
  return out;
}
