import { parseAppFilter } from "./app-filter.js";
import { ACCOUNT_ID_PATTERN, isAwsPartition, PROVIDER_NAME_PATTERN, parseProviderArn } from "./arn.js";
import { RolemapError, SignOnSettingsError } from "./errors.js";
import { compileGroupFilter } from "./group-filter.js";
import { validateRoleValuePattern } from "./role-value-pattern.js";
import type { AwsSignOnSettings } from "./types.js";

function collect(errors: RolemapError[], check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof RolemapError) errors.push(error);
    else throw error;
  }
}

/**
 * Validation on save: every problem at once, so the settings form can mark each field. Stricter
 * than resolveRoles, which must keep working with whatever is stored (an empty App Filter there
 * fails closed; here it is refused).
 */
export function validateSignOnSettings(settings: AwsSignOnSettings): RolemapError[] {
  const errors: RolemapError[] = [];
  if (!isAwsPartition(settings.partition)) {
    return [new SignOnSettingsError("partition", `"${settings.partition}" is not aws, aws-us-gov or aws-cn`)];
  }
  if (settings.identityProviderArn) {
    const parsed = parseProviderArn(settings.identityProviderArn, settings.partition);
    if (!parsed.ok) errors.push(new SignOnSettingsError("identityProviderArn", parsed.reason));
  }
  for (const [accountId, providerName] of Object.entries(settings.samlProviderNames ?? {})) {
    if (!ACCOUNT_ID_PATTERN.test(accountId)) {
      errors.push(new SignOnSettingsError(`samlProviderNames.${accountId}`, "account id must be 12 digits"));
    }
    if (!PROVIDER_NAME_PATTERN.test(providerName)) {
      errors.push(
        new SignOnSettingsError(
          `samlProviderNames.${accountId}`,
          "provider name must be 1-128 letters, digits and _.-",
        ),
      );
    }
  }
  if (settings.defaultSamlProviderName && !PROVIDER_NAME_PATTERN.test(settings.defaultSamlProviderName)) {
    errors.push(
      new SignOnSettingsError("defaultSamlProviderName", "provider name must be 1-128 letters, digits and _.-"),
    );
  }
  if (!settings.useGroupMapping) return errors;

  collect(errors, () => {
    if (parseAppFilter(settings.appFilter).size === 0) {
      throw new SignOnSettingsError("appFilter", "name at least one group source allowed to grant roles");
    }
  });
  let captureNames: readonly string[] | null = null;
  collect(errors, () => {
    captureNames = compileGroupFilter(settings.groupFilter).captureNames;
  });
  if (captureNames !== null) {
    const providerNameConfigured = Boolean(
      Object.keys(settings.samlProviderNames ?? {}).length > 0 ||
        settings.defaultSamlProviderName ||
        settings.identityProviderArn,
    );
    const context = { partition: settings.partition, captureNames, providerNameConfigured };
    collect(errors, () => validateRoleValuePattern(settings.roleValuePattern, context));
  }
  return errors;
}
