import {
  CreateSAMLProviderCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  UpdateSAMLProviderCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "./clients.js";

export interface SamlSetupResult {
  accountId: string;
  providerArn: string | null;
  outcome: "created" | "updated" | "unchanged" | "error";
  error: string | null;
}

/** Creates the IAM SAML provider, or updates its metadata when it differs (e.g. after a key rotation). */
async function ensureProvider(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  accountId: string,
  name: string,
  metadata: string,
): Promise<SamlSetupResult> {
  const { iam } = await factory(target, credentials);
  const arn = `arn:${target.partition}:iam::${accountId}:saml-provider/${name}`;
  const listed = await iam.send(new ListSAMLProvidersCommand({}));
  if (!(listed.SAMLProviderList ?? []).some((p) => p.Arn === arn)) {
    const created = await iam.send(new CreateSAMLProviderCommand({ Name: name, SAMLMetadataDocument: metadata }));
    return { accountId, providerArn: created.SAMLProviderArn ?? arn, outcome: "created", error: null };
  }
  const current = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arn }));
  if (current.SAMLMetadataDocument === metadata)
    return { accountId, providerArn: arn, outcome: "unchanged", error: null };
  await iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arn, SAMLMetadataDocument: metadata }));
  return { accountId, providerArn: arn, outcome: "updated", error: null };
}

/**
 * "Set up AWS accounts for SAML" for every account: in the credentials' own account directly, in the
 * others through an administrative role (Organizations' OrganizationAccountAccessRole by default).
 * Idempotent; one account's failure is reported and does not stop the others.
 */
export async function setUpSamlProviders(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: { accountIds: readonly string[]; providerName: string; metadata: string; roleName?: string },
): Promise<SamlSetupResult[]> {
  const { sts } = await factory(target, credentials);
  const self = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  const results: SamlSetupResult[] = [];
  for (const accountId of opts.accountIds) {
    try {
      let creds = credentials;
      if (accountId !== self) {
        const assumed = await sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:${target.partition}:iam::${accountId}:role/${opts.roleName ?? "OrganizationAccountAccessRole"}`,
            RoleSessionName: "rolebridge-saml-setup",
            DurationSeconds: 900,
          }),
        );
        const c = assumed.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole answered without credentials");
        creds = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      }
      results.push(await ensureProvider(factory, target, creds, accountId, opts.providerName, opts.metadata));
    } catch (err) {
      const { code, message } = awsErrorSummary(err);
      results.push({ accountId, providerArn: null, outcome: "error", error: `${code}: ${message}` });
    }
  }
  return results;
}
