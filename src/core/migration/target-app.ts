import { type AwsFederationSettings, validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import { DomainError } from "../errors.js";
import { DEFAULT_ROLE_VALUE_PATTERN } from "../rolemap/role-value-pattern.js";

/**
 * The target app's settings: the legacy app's sign-on behaviour (session duration, session name, tags,
 * NameID, ACS) carried over, group mapping on, the App Filter trusting only the role groups' source, and
 * each account's SAML provider named explicitly. Nothing of the legacy API block comes along.
 */
export function targetSettings(
  legacy: AwsFederationSettings,
  opts: { source: string; groupFilter: string; providerNames: Record<string, string> },
): Record<string, unknown> {
  const { api: _api, idpEntityId: _id, identityProviderArn: _arn, defaultSamlProviderName: _p, ...kept } = legacy;
  return {
    ...kept,
    useGroupMapping: true,
    joinAllRoles: false,
    appFilter: opts.source,
    groupFilter: opts.groupFilter,
    roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
    samlProviderNames: opts.providerNames,
  };
}

/** Validates as an app update would; returns the problems as text instead of throwing. */
export function targetSettingsProblems(settings: Record<string, unknown>): string[] {
  try {
    validateAwsFederationSettings(settings);
    return [];
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const errors = (err.details.errors as Array<{ path: string; message: string }> | undefined) ?? [];
    return errors.length ? errors.map((e) => `${e.path} ${e.message}`) : [err.message];
  }
}

/** The sign-on behaviour the proof compares besides roles: what else AWS sees in the Response. */
export const COMPARED_SETTINGS = [
  "partition",
  "sessionDuration",
  "roleSessionNameSource",
  "sourceIdentitySource",
  "principalTags",
  "transitiveTagKeys",
  "nameIdFormat",
] as const;
