import { AccountSessions } from "../migration/aws-saml/account-session.js";
import { readProvider } from "../migration/aws-saml/account-state.js";
import { runStep } from "../migration/aws-saml/steps.js";
import type { AwsClientFactory, AwsCredentials, AwsTarget } from "./clients.js";

export interface SamlSetupResult {
  accountId: string;
  providerArn: string | null;
  outcome: "created" | "updated" | "unchanged" | "error";
  error: string | null;
}

/**
 * "Set up AWS accounts for SAML" for every account, provider only: in the credentials' own account directly, in the
 * others through an administrative role (Organizations' OrganizationAccountAccessRole by default). The migration's
 * provider step does the work (src/core/migration/aws-saml), so both paths create and update providers alike.
 * Idempotent; one account's failure is reported and does not stop the others.
 */
export async function setUpSamlProviders(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  opts: { accountIds: readonly string[]; providerName: string; metadata: string; roleName?: string },
): Promise<SamlSetupResult[]> {
  const sessions = new AccountSessions(factory, target, credentials, {
    ...(opts.roleName ? { roleName: opts.roleName } : {}),
  });
  const results: SamlSetupResult[] = [];
  for (const accountId of opts.accountIds) {
    try {
      const session = await sessions.open(accountId);
      const current = await readProvider(session, opts.providerName);
      const done = await runStep(session, {
        kind: "provider",
        accountId,
        providerName: opts.providerName,
        metadata: opts.metadata,
        metadataBefore: current?.metadata ?? null,
      });
      if (done.kind === "provider")
        results.push({ accountId, providerArn: done.providerArn, outcome: done.outcome, error: null });
    } catch (err) {
      results.push({ accountId, providerArn: null, outcome: "error", error: (err as Error).message });
    }
  }
  return results;
}
