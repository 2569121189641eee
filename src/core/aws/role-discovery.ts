import {
  ListAccountAliasesCommand,
  type ListAccountAliasesCommandOutput,
  ListRolesCommand,
  type ListRolesCommandOutput,
} from "@aws-sdk/client-iam";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  type STSClient,
} from "@aws-sdk/client-sts";
import type { AccountRoleList } from "../../store/contract-apps.js";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "./clients.js";
import { admitsSamlProvider } from "./saml-trust.js";

/**
 * Every AWS call the legacy API mode makes, and with which credentials. The calls below go through
 * `legacyCall`, which refuses a command missing here, and the policy audit derives the least-privilege policy
 * from this same list — so the policy cannot drift from the code.
 *
 * `by`: "keys" — the IAM user's own access keys, in its own account; "cross-account role" — the session
 * assumed in each other connected account. `resource`: what the action acts on ("*" for account-wide calls).
 */
export const LEGACY_API_CALLS = [
  { command: "GetCallerIdentity", action: "sts:GetCallerIdentity", by: ["keys"], resource: "none" },
  { command: "ListRoles", action: "iam:ListRoles", by: ["keys", "cross-account role"], resource: "*" },
  {
    command: "ListAccountAliases",
    action: "iam:ListAccountAliases",
    by: ["keys", "cross-account role"],
    resource: "*",
  },
  { command: "AssumeRole", action: "sts:AssumeRole", by: ["keys"], resource: "cross-account role" },
] as const;

export type LegacyApiCall = (typeof LEGACY_API_CALLS)[number];

/** The IAM action of an SDK command the legacy API mode may send, or an error naming the undeclared one. */
export function declaredAction(commandName: string): LegacyApiCall {
  const name = commandName.replace(/Command$/, "");
  const call = LEGACY_API_CALLS.find((c) => c.command === name);
  if (!call) throw new Error(`${name} is not in LEGACY_API_CALLS: declare its IAM action before calling it`);
  return call;
}

/** Sends one of the legacy API mode's calls; a command not declared in LEGACY_API_CALLS is refused before sending. */
async function legacyCall<Out>(
  client: { send(command: never): Promise<unknown> },
  command: { constructor: { name: string } },
): Promise<Out> {
  declaredAction(command.constructor.name);
  return (await client.send(command as never)) as Out;
}

export type DiscoveredAccount = Omit<AccountRoleList, "appId" | "refreshedAt">;
/** A role as ListRoles shows it, with its trust policy (decoded JSON text), for the policy audit. */
export interface ListedRole {
  arn: string;
  name: string;
  path: string;
  trustPolicy: string | null;
}

/** ListRoles (every page) and the account alias, with whatever credentials act in that account. */
export async function listAccountRoles(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
): Promise<{ alias: string | null; roles: ListedRole[] }> {
  const { iam } = await factory(target, credentials);
  const roles: ListedRole[] = [];
  let marker: string | undefined;
  do {
    const listed = await legacyCall<ListRolesCommandOutput>(
      iam,
      new ListRolesCommand({ MaxItems: 100, Marker: marker }),
    );
    for (const r of listed.Roles ?? []) {
      if (!r.Arn || !r.RoleName) continue;
      const trust = r.AssumeRolePolicyDocument;
      roles.push({
        arn: r.Arn,
        name: r.RoleName,
        path: r.Path ?? "/",
        trustPolicy: trust ? decodeURIComponent(trust) : null,
      });
    }
    marker = listed.IsTruncated ? listed.Marker : undefined;
  } while (marker);
  const aliases = await legacyCall<ListAccountAliasesCommandOutput>(iam, new ListAccountAliasesCommand({}));
  roles.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  return { alias: aliases.AccountAliases?.[0] ?? null, roles };
}

/** Who the keys belong to: Okta's "Test API Credentials". */
export async function callerIdentity(factory: AwsClientFactory, target: AwsTarget, credentials: AwsCredentials) {
  const { sts } = await factory(target, credentials);
  const id = await legacyCall<GetCallerIdentityCommandOutput>(sts, new GetCallerIdentityCommand({}));
  if (!id.Account || !id.Arn) throw new Error("GetCallerIdentity answered without Account or Arn");
  return { accountId: id.Account, arn: id.Arn };
}

export const crossAccountRoleArn = (target: AwsTarget, accountId: string, roleName: string) =>
  `arn:${target.partition}:iam::${accountId}:role/${roleName}`;

/** The cross-account role's session in a connected account. */
export async function assumeCrossAccountRole(
  sts: STSClient,
  target: AwsTarget,
  accountId: string,
  roleName: string,
  sessionName: string,
): Promise<AwsCredentials> {
  const assumed = await legacyCall<AssumeRoleCommandOutput>(
    sts,
    new AssumeRoleCommand({
      RoleArn: crossAccountRoleArn(target, accountId, roleName),
      RoleSessionName: sessionName,
      DurationSeconds: 900,
    }),
  );
  const c = assumed.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole answered without credentials");
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export interface AccountReading {
  accountId: string;
  alias: string | null;
  roles: ListedRole[];
  status: "ok" | "error";
  error: string | null;
}

/**
 * Okta's "Refresh Application Data" as the keys see it: list roles and the alias in the keys' own account, then
 * assume the cross-account role in each connected account and list there. One account's failure is recorded
 * against that account and does not stop the others.
 */
export async function readConnectedAccounts(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: {
    connectedAccountIds: readonly string[];
    crossAccountRoleName: string;
    sessionName: string;
    concurrency?: number;
  },
): Promise<AccountReading[]> {
  const source = await callerIdentity(factory, target, credentials);
  const results: AccountReading[] = [];
  try {
    const own = await listAccountRoles(factory, target, credentials);
    results.push({ accountId: source.accountId, ...own, status: "ok", error: null });
  } catch (err) {
    const { code, message } = awsErrorSummary(err);
    results.push({
      accountId: source.accountId,
      alias: null,
      roles: [],
      status: "error",
      error: `${code}: ${message}`,
    });
  }
  const others = opts.connectedAccountIds.filter((id) => id !== source.accountId);
  const { sts } = await factory(target, credentials);
  let next = 0;
  const worker = async () => {
    while (next < others.length) {
      const accountId = others[next++]!;
      try {
        const session = await assumeCrossAccountRole(
          sts,
          target,
          accountId,
          opts.crossAccountRoleName,
          opts.sessionName,
        );
        results.push({ accountId, ...(await listAccountRoles(factory, target, session)), status: "ok", error: null });
      } catch (err) {
        const { code, message } = awsErrorSummary(err);
        results.push({ accountId, alias: null, roles: [], status: "error", error: `${code}: ${message}` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, others.length) }, worker));
  return results.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}

/**
 * The refresh's view: role lists in the store's shape, each role marked with whether its trust policy admits
 * any SAML provider (the policy itself is not kept).
 */
export async function discoverRoles(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: Parameters<typeof readConnectedAccounts>[3],
): Promise<DiscoveredAccount[]> {
  const read = await readConnectedAccounts(factory, target, credentials, opts);
  return read.map((a) => ({
    ...a,
    roles: a.roles.map(({ arn, name, path, trustPolicy }) => ({
      arn,
      name,
      path,
      samlAssumable: admitsSamlProvider(trustPolicy),
    })),
  }));
}
