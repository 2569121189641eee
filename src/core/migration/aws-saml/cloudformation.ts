import { stringify } from "yaml";
import { DomainError } from "../../errors.js";
import { ROLE_NAME_PATTERN } from "../../rolemap/arn.js";
import { checkTarget, type SamlTarget } from "./plan.js";
import { parseTrustDocument, statementSid } from "./trust-policy.js";

/**
 * The same SAML setup as CloudFormation. CloudFormation can only change a role it manages, so the templates manage
 * the roles they are given: a role that does not exist is created; an existing role is brought under the stack with
 * a resource import (docs/migration-saml-setup.md) and its trust policy becomes the template's — the statements it
 * has today followed by rolebridge's. Roles carry `DeletionPolicy: Retain`: deleting the stack never deletes a role
 * people use. The provider is the stack's own and goes with it.
 */

export type CloudFormationFormat = "json" | "yaml";
type Template = Record<string, unknown>;

export interface TemplateRole {
  name: string;
  /** `/` unless the role lives under an IAM path. */
  path?: string;
  /** The role's current trust policy (decoded JSON) whose statements are kept; null or absent for a new role. */
  trustPolicy?: string | null;
}

const PROVIDER_ID = "SamlProvider";

function samlStatementFor(providerName: string, acsUrls: readonly string[], federated: unknown) {
  return {
    Sid: statementSid(providerName),
    Effect: "Allow",
    Principal: { Federated: federated },
    Action: "sts:AssumeRoleWithSAML",
    Condition: { StringEquals: { "SAML:aud": acsUrls.length === 1 ? acsUrls[0] : [...acsUrls] } },
  };
}

/** Logical ids are alphanumeric and unique in a template; the role's path and name, squeezed, make one. */
function logicalIds(roles: readonly TemplateRole[]): string[] {
  const seen = new Map<string, number>();
  return roles.map((r) => {
    const base = `Role${`${r.path ?? "/"}${r.name}`.replace(/[^A-Za-z0-9]/g, "")}`.slice(0, 200);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}${n}`;
  });
}

function checkRoles(roles: readonly TemplateRole[]): void {
  const names = new Set<string>();
  for (const role of roles) {
    if (!ROLE_NAME_PATTERN.test(role.name))
      throw new DomainError("validation_failed", `role name ${JSON.stringify(role.name)} is not a valid IAM role name`);
    if (names.has(role.name.toLowerCase()))
      throw new DomainError("validation_failed", `role ${role.name} is listed twice`);
    names.add(role.name.toLowerCase());
  }
}

function accountRule(accountId: string) {
  if (!/^\d{12}$/.test(accountId))
    throw new DomainError("validation_failed", `account ${JSON.stringify(accountId)} is not a 12-digit account id`);
  return {
    PlannedAccountOnly: {
      Assertions: [
        {
          Assert: { "Fn::Equals": [{ Ref: "AWS::AccountId" }, accountId] },
          AssertDescription: `This template is for account ${accountId} only; deploy it with that account's credentials.`,
        },
      ],
    },
  };
}

/** One account's stack: its provider, and each given role trusting it (existing statements kept, ours replaced). */
export function perAccountTemplate(target: SamlTarget, roles: readonly TemplateRole[], accountId?: string): Template {
  checkTarget(target);
  checkRoles(roles);
  const sid = statementSid(target.providerName);
  const ids = logicalIds(roles);
  const resources: Template = {
    [PROVIDER_ID]: {
      Type: "AWS::IAM::SAMLProvider",
      Properties: { Name: target.providerName, SamlMetadataDocument: target.metadata },
    },
  };
  roles.forEach((role, i) => {
    const existing = role.trustPolicy ? parseTrustDocument(role.trustPolicy, role.name) : undefined;
    const kept = (existing?.Statement ?? []).filter((s) => s.Sid !== sid);
    resources[ids[i]!] = {
      Type: "AWS::IAM::Role",
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        RoleName: role.name,
        Path: role.path ?? "/",
        AssumeRolePolicyDocument: {
          Version: existing?.Version ?? "2012-10-17",
          Statement: [...kept, samlStatementFor(target.providerName, target.acsUrls, { Ref: PROVIDER_ID })],
        },
      },
    };
  });
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `rolebridge: SAML provider ${target.providerName} and the roles that trust it${accountId ? ` (account ${accountId})` : ""}`,
    // The template names roles, not accounts: deployed with another account's credentials it would take over that
    // account's roles of the same names. The rule makes CloudFormation refuse the stack there before any change.
    ...(accountId ? { Rules: accountRule(accountId) } : {}),
    Resources: resources,
    Outputs: {
      SamlProviderArn: {
        Description: "The provider to name in role trust and in the SAML Role attribute",
        Value: { Ref: PROVIDER_ID },
      },
    },
  };
}

function existingRoles(roles: readonly TemplateRole[]): Array<TemplateRole & { trustPolicy: string }> {
  checkRoles(roles);
  return roles.map((r) => {
    if (!r.trustPolicy)
      throw new DomainError("validation_failed", `role ${r.name}: an import needs the role's current trust policy`);
    return { ...r, trustPolicy: r.trustPolicy };
  });
}

/**
 * Step one for roles that already exist: the roles exactly as they are, for a CloudFormation resource import
 * (`create-change-set --change-set-type IMPORT`); logical ids match `perAccountTemplate`, which is step two.
 */
export function importTemplate(roles: readonly TemplateRole[]): Template {
  const existing = existingRoles(roles);
  const ids = logicalIds(existing);
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "rolebridge: existing roles brought under CloudFormation before the SAML setup",
    Resources: Object.fromEntries(
      existing.map((role, i) => [
        ids[i]!,
        {
          Type: "AWS::IAM::Role",
          DeletionPolicy: "Retain",
          UpdateReplacePolicy: "Retain",
          Properties: {
            RoleName: role.name,
            Path: role.path ?? "/",
            AssumeRolePolicyDocument: JSON.parse(role.trustPolicy),
          },
        },
      ]),
    ),
  };
}

/** The `--resources-to-import` list that goes with `importTemplate`. */
export function resourcesToImport(roles: readonly TemplateRole[]) {
  const existing = existingRoles(roles);
  const ids = logicalIds(existing);
  return existing.map((role, i) => ({
    ResourceType: "AWS::IAM::Role",
    LogicalResourceId: ids[i]!,
    ResourceIdentifier: { RoleName: role.name },
  }));
}

/**
 * One template for every account of a StackSet: metadata, provider name, ACS and the role names are parameters.
 * The role list is expanded by the `AWS::LanguageExtensions` transform (`Fn::ForEach`). Roles it manages trust only
 * rolebridge's statement, so it suits roles made for federation; roles with other trusted principals belong in the
 * per-account template. CloudFormation limits a parameter value to 4,096 bytes: larger metadata (e.g. two keys
 * during a rotation) needs the per-account template.
 */
export function stackSetTemplate(defaults: { providerName?: string; acsUrl?: string } = {}): Template {
  const federated = { Ref: PROVIDER_ID };
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Transform: "AWS::LanguageExtensions",
    Description: "rolebridge: SAML provider and federated roles, for a StackSet across the organization's accounts",
    Parameters: {
      MetadataDocument: {
        Type: "String",
        Description: "The rolebridge app's IdP metadata XML (rolebridge saml metadata --app <slug>)",
        MinLength: 1000,
      },
      ProviderName: { Type: "String", Default: defaults.providerName ?? "rolebridge", AllowedPattern: "[\\w._-]+" },
      AcsUrl: {
        Type: "String",
        Default: defaults.acsUrl ?? "https://signin.aws.amazon.com/saml",
        Description: "The SAML:aud value: the ACS people's sign-in posts to",
      },
      RoleNames: { Type: "CommaDelimitedList", Description: "Roles that trust the provider (created or imported)" },
    },
    Resources: {
      [PROVIDER_ID]: {
        Type: "AWS::IAM::SAMLProvider",
        Properties: { Name: { Ref: "ProviderName" }, SamlMetadataDocument: { Ref: "MetadataDocument" } },
      },
      "Fn::ForEach::FederatedRoles": [
        "RoleName",
        { Ref: "RoleNames" },
        {
          "Role&{RoleName}": {
            Type: "AWS::IAM::Role",
            DeletionPolicy: "Retain",
            UpdateReplacePolicy: "Retain",
            Properties: {
              RoleName: { Ref: "RoleName" },
              AssumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  {
                    Sid: "RolebridgeSaml",
                    Effect: "Allow",
                    Principal: { Federated: federated },
                    Action: "sts:AssumeRoleWithSAML",
                    Condition: { StringEquals: { "SAML:aud": { Ref: "AcsUrl" } } },
                  },
                ],
              },
            },
          },
        },
      ],
    },
    Outputs: { SamlProviderArn: { Value: { Ref: PROVIDER_ID } } },
  };
}

export function renderTemplate(template: Template, format: CloudFormationFormat): string {
  // Long-form intrinsics (`Ref:`, `Fn::Sub:`) are valid in both formats, so YAML needs no custom tags. YAML 1.1
  // quoting keeps "2012-10-17" a string for 1.1 parsers (PyYAML in the AWS CLI), which would read a date.
  return format === "json"
    ? `${JSON.stringify(template, null, 2)}\n`
    : stringify(template, { lineWidth: 0, version: "1.1" });
}
