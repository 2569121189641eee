import { signOnSettingsOf, validateAwsFederationSettings } from "../../apps/aws-federation-settings.js";
import type { App } from "../../apps/model.js";
import { DomainError } from "../../errors.js";
import type { AwsPartition } from "../../rolemap/arn.js";
import { samlProviderNameFor } from "../../rolemap/resolve.js";
import { partitionInfo } from "../../saml/partitions.js";
import type { SamlTarget } from "./plan.js";

/** The parts of an app the SAML setup reads: an app, or the app a migration plan is about to create. */
export type AppLike = Pick<App, "type" | "slug" | "settings">;

/** What the SAML setup reads from an AWS Account Federation app's settings. */
export function appSamlSettings(app: AppLike) {
  if (app.type !== "aws-account-federation")
    throw new DomainError("validation_failed", `app ${app.slug} is not an AWS Account Federation app`, {
      app: app.slug,
    });
  const settings = validateAwsFederationSettings(app.settings);
  const partition: AwsPartition = settings.partition;
  return {
    partition,
    acsUrl: settings.acsUrl ?? partitionInfo(partition).acsUrl,
    defaultProviderName: settings.defaultSamlProviderName ?? null,
    providerNameFor: (accountId: string) => samlProviderNameFor(signOnSettingsOf(settings), accountId),
  };
}

/**
 * What the app needs in one account: its metadata as the provider, under the provider name sign-in puts in the
 * Role attribute for that account, trusted for the ACS its responses are addressed to.
 */
export function samlTargetFor(app: AppLike, metadata: string, accountId: string): SamlTarget {
  const s = appSamlSettings(app);
  const providerName = s.providerNameFor(accountId);
  if (!providerName) {
    throw new DomainError(
      "validation_failed",
      `app ${app.slug} names no SAML provider for account ${accountId} (set defaultSamlProviderName or samlProviderNames)`,
      { app: app.slug, accountId },
    );
  }
  return { providerName, metadata, acsUrls: [s.acsUrl] };
}
