import { ListAccountAliasesCommand, paginateListRoles } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { AccountRoleList } from "../../store/contract-apps.js";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "./clients.js";

export type DiscoveredAccount = Omit<AccountRoleList, "appId" | "refreshedAt">;

async function listAccount(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  accountId: string,
): Promise<DiscoveredAccount> {
  const { iam } = await factory(target, credentials);
  const roles: DiscoveredAccount["roles"] = [];
  for await (const page of paginateListRoles({ client: iam, pageSize: 100 }, {})) {
    for (const r of page.Roles ?? []) {
      if (r.Arn && r.RoleName) roles.push({ arn: r.Arn, name: r.RoleName, path: r.Path ?? "/" });
    }
  }
  const aliases = await iam.send(new ListAccountAliasesCommand({}));
  roles.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return { accountId, alias: aliases.AccountAliases?.[0] ?? null, roles, status: "ok", error: null };
}

/** Short-lived credentials in another account through a role the caller may assume there. */
export async function assumeInto(
  sts: STSClient,
  target: AwsTarget,
  accountId: string,
  roleName: string,
  sessionName: string,
): Promise<AwsCredentials> {
  const assumed = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:${target.partition}:iam::${accountId}:role/${roleName}`,
      RoleSessionName: sessionName,
      DurationSeconds: 900,
    }),
  );
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole answered without credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/** Who the keys belong to: Okta's "Test API Credentials". */
export async function callerIdentity(factory: AwsClientFactory, target: AwsTarget, credentials: AwsCredentials) {
  const id = await (await factory(target, credentials)).sts.send(new GetCallerIdentityCommand({}));
  if (!id.Account || !id.Arn) throw new Error("GetCallerIdentity answered without Account or Arn");
  return { accountId: id.Account, arn: id.Arn };
}

/**
 * Okta's "Refresh Application Data": list roles and the alias in the keys' own account, then assume
 * the cross-account role in each connected account and list there. One account's failure is recorded
 * against that account and does not stop the others.
 */
export async function discoverRoles(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: {
    connectedAccountIds: readonly string[];
    crossAccountRoleName: string;
    sessionName: string;
    concurrency?: number;
  },
): Promise<DiscoveredAccount[]> {
  const source = await callerIdentity(factory, target, credentials);
  const results: DiscoveredAccount[] = [await listAccount(factory, target, credentials, source.accountId)];
  const others = opts.connectedAccountIds.filter((id) => id !== source.accountId);
  const { sts } = await factory(target, credentials);
  let next = 0;
  const worker = async () => {
    while (next < others.length) {
      const accountId = others[next++]!;
      try {
        const assumed = await assumeInto(sts, target, accountId, opts.crossAccountRoleName, opts.sessionName);
        results.push(await listAccount(factory, target, assumed, accountId));
      } catch (err) {
        const { code, message } = awsErrorSummary(err);
        results.push({ accountId, alias: null, roles: [], status: "error", error: `${code}: ${message}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, others.length) }, worker));
  return results.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}
