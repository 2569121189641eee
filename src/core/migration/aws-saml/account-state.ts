import { GetRoleCommand, GetSAMLProviderCommand, ListSAMLProvidersCommand } from "@aws-sdk/client-iam";
import { awsErrorSummary } from "../../aws/clients.js";
import { DomainError } from "../../errors.js";
import { type AwsPartition, parseRoleArn, providerArnFor } from "../../rolemap/arn.js";
import { type AccountSession, type AccountSessions, remoteFailure } from "./account-session.js";

/** What the SAML setup needs to know about one account, as read from IAM. */
export interface AccountSamlState {
  accountId: string;
  partition: AwsPartition;
  /** ARNs of every SAML provider in the account. */
  providerArns: string[];
  /** The provider named in the plan, with its metadata; null when the account does not have it. */
  provider: { arn: string; metadata: string } | null;
  /** Each mapped role with its trust policy as IAM holds it (decoded JSON text); null when the role does not exist. */
  roles: Array<{ arn: string; name: string; path: string; trustPolicy: string | null }>;
}

export interface StateQuery {
  providerName: string;
  /** Role ARNs in this account that the plan maps. */
  roleArns: readonly string[];
}

const isNotFound = (err: unknown) => awsErrorSummary(err).code.startsWith("NoSuchEntity");

/** IAM hands policy documents back URL-encoded (RFC 3986). */
export const decodePolicyDocument = (text: string): string => decodeURIComponent(text);

export function splitRoleArn(arn: string, partition: AwsPartition, accountId: string) {
  const parsed = parseRoleArn(arn, partition);
  if (!parsed.ok) throw new DomainError("validation_failed", `role ${arn}: ${parsed.reason}`, { roleArn: arn });
  if (parsed.value.accountId !== accountId) {
    throw new DomainError("validation_failed", `role ${arn} is not in account ${accountId}`, { roleArn: arn });
  }
  return parsed.value;
}

/** The current trust policy of a role, or null when the role does not exist (any other failure throws). */
export async function readTrustPolicy(session: AccountSession, roleName: string): Promise<string | null> {
  try {
    const { Role } = await session.iam.send(new GetRoleCommand({ RoleName: roleName }));
    return decodePolicyDocument(Role?.AssumeRolePolicyDocument ?? "");
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The named provider's metadata, or null when the account has no such provider. */
export async function readProvider(session: AccountSession, providerName: string) {
  const arn = providerArnFor(session.partition, session.accountId, providerName);
  try {
    const current = await session.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
    return { arn, metadata: current.SAMLMetadataDocument ?? "" };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export async function readAccountState(session: AccountSession, query: StateQuery): Promise<AccountSamlState> {
  const where = `account ${session.accountId}`;
  try {
    const listed = await session.iam.send(new ListSAMLProvidersCommand({}));
    const roles: AccountSamlState["roles"] = [];
    for (const arn of query.roleArns) {
      const { roleName, path } = splitRoleArn(arn, session.partition, session.accountId);
      roles.push({ arn, name: roleName, path, trustPolicy: await readTrustPolicy(session, roleName) });
    }
    return {
      accountId: session.accountId,
      partition: session.partition,
      providerArns: (listed.SAMLProviderList ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])).sort(),
      provider: await readProvider(session, query.providerName),
      roles,
    };
  } catch (err) {
    throw remoteFailure(err, `${where}: reading its SAML providers and role trust failed`, {
      accountId: session.accountId,
    });
  }
}

export type AccountStateResult =
  | { accountId: string; ok: true; state: AccountSamlState }
  | { accountId: string; ok: false; error: { code: string; message: string; details: Record<string, unknown> } };

/** Every account's state; an account that cannot be opened or read is reported on its own and the rest go on. */
export async function readAccountStates(
  sessions: AccountSessions,
  queries: ReadonlyMap<string, StateQuery>,
  concurrency = 4,
): Promise<AccountStateResult[]> {
  const accountIds = [...queries.keys()].sort();
  const results: AccountStateResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < accountIds.length) {
      const accountId = accountIds[next++]!;
      try {
        const state = await readAccountState(await sessions.open(accountId), queries.get(accountId)!);
        results.push({ accountId, ok: true, state });
      } catch (err) {
        const e = remoteFailure(err, `account ${accountId}`, { accountId });
        results.push({ accountId, ok: false, error: { code: e.code, message: e.message, details: e.details } });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, accountIds.length) }, worker));
  return results.sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
}
