/** Applications people sign in to (AWS Account Federation, IAM Identity Center) and what hangs off them. */

export const APP_TYPES = ["aws-account-federation", "aws-iam-identity-center", "generic-scim2"] as const;
export type AppType = (typeof APP_TYPES)[number];

/** An INACTIVE app signs no one in: that is how the old app is switched off after a migration. */
export type AppStatus = "ACTIVE" | "INACTIVE";

export interface App {
  id: string;
  /** Stable, human-chosen handle used in URLs and the CLI (e.g. `aws-demo`). */
  slug: string;
  type: AppType;
  label: string;
  status: AppStatus;
  /** Type-specific settings, validated by the app type's schema before every write. */
  settings: Record<string, unknown>;
  created: string;
  lastUpdated: string;
  version: number;
  /**
   * Provisioning apps' "Enable API integration": while false nothing is sent to the target (dry runs still
   * work). Off when such an app is created; always true, and meaningless, for apps that do not provision.
   */
  provisioningEnabled: boolean;
}

export type PrincipalType = "user" | "group";

/** Who is assigned to an app, and (for AWS federation) the roles assigned with the assignment. */
export interface AppAssignment {
  appId: string;
  principalType: PrincipalType;
  principalId: string;
  /** Per-assignment profile, e.g. `{ samlRoles: [{ roleArn, providerArn? }] }`. */
  profile: Record<string, unknown>;
  /** Group assignments only: 0 is the highest; unique per app. Decides group-only people's roles in priority mode. */
  priority: number | null;
  created: string;
  lastUpdated: string;
}

/** next: published, not yet signing; active: signs; previous: published after a rotation until retired. */
export type SigningKeyState = "next" | "active" | "previous" | "retired";

/** A SAML signing key. The private key is sealed at rest; only the certificate is public. */
export interface SigningKey {
  id: string;
  appId: string;
  state: SigningKeyState;
  bits: number;
  certificatePem: string;
  /** SecretBox-sealed PKCS#8 PEM, opened only to sign. */
  privateKeySealed: string;
  notAfter: string;
  created: string;
  activated: string | null;
  retired: string | null;
}

/**
 * A change of behaviour an upgrade brought to an existing app, kept until an administrator acknowledges it.
 * `details` is null until the runtime has worked out who is affected.
 */
export interface AppUpgradeNotice {
  id: string;
  appId: string;
  kind: "group-assignment-rule";
  created: string;
  details: UpgradeNoticeDetails | null;
  acknowledged: { at: string; by: string } | null;
}

export interface UpgradeNoticeDetails {
  summary: string;
  people: Array<{ userId: string; login: string; gained: string[]; lost: string[] }>;
}
