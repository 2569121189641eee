/**
 * The ids and keys of fixtures/sandbox/demo.json, for tests and docs that need them without parsing the file.
 * A test in test/sandbox keeps these in step with the fixture.
 */
export const DEMO = {
  organizationId: "o-a1b2c3d4e5",
  managementAccountId: "111122223333",
  accounts: {
    "acme-management": "111122223333",
    "northamerica-production": "222233334444",
    "northamerica-staging": "333344445555",
    "europe-production": "444455556666",
    "shared-services": "555566667777",
  },
  /** The legacy Okta API-mode IAM user; its policy allows sts:AssumeRole on "*" until the audit narrows it. */
  apiUser: {
    userName: "okta-api-user",
    arn: "arn:aws:iam::111122223333:user/service/okta-api-user",
    accessKeyId: "AKIAROLEBRIDGEDEMO01",
    secretAccessKey: "rbDemoSecret/LegacyApiMode/DoNotUse+0001",
  },
  /** An administrator in the management account, for setup steps (SAML providers, policy changes). */
  admin: {
    userName: "sandbox-admin",
    arn: "arn:aws:iam::111122223333:user/sandbox-admin",
    accessKeyId: "AKIAROLEBRIDGEADMIN1",
    secretAccessKey: "rbDemoSecret/SandboxAdministrator/0002+x",
  },
  crossAccountRoleName: "Okta-Idp-cross-account-role",
  /** In every member account: AdministratorAccess, assumable by the admin user to set up member accounts. */
  memberAdminRoleName: "OrganizationAccountAccessRole",
  /** Every account's SAML roles trust these provider names; "okta" exists, "rolebridge" is for the IdP to create. */
  samlProviderNames: ["okta", "rolebridge"],
} as const;
