import type { CloudFormationState } from "../cloudformation/model.js";
import type { IdentityCenterState } from "../identity-center/model.js";

/**
 * The sandbox's whole world. Policy documents are kept as the JSON text the caller sent, because IAM hands
 * documents back exactly as uploaded (URL-encoded), not re-serialised.
 */

export interface Organization {
  id: string;
  managementAccountId: string;
  featureSet: "ALL";
}

export interface Account {
  id: string;
  name: string;
  email: string;
  alias?: string | undefined;
  joinedTimestamp: string;
}

export interface Role {
  accountId: string;
  name: string;
  path: string;
  roleId: string;
  arn: string;
  description?: string | undefined;
  maxSessionDuration: number;
  trustPolicy: string;
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  createDate: string;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: "Active" | "Inactive";
  createDate: string;
}

export interface User {
  accountId: string;
  name: string;
  path: string;
  userId: string;
  arn: string;
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  accessKeys: AccessKey[];
  createDate: string;
}

export interface PolicyVersion {
  versionId: string;
  document: string;
  createDate: string;
}

export interface ManagedPolicy {
  /** "aws" for AWS managed policies, otherwise the owning account. */
  accountId: string;
  name: string;
  path: string;
  policyId: string;
  arn: string;
  description?: string | undefined;
  defaultVersionId: string;
  /** Version ids are never reused, even after a version is deleted. */
  nextVersion: number;
  versions: PolicyVersion[];
  createDate: string;
  updateDate: string;
}

export interface SamlProvider {
  accountId: string;
  name: string;
  arn: string;
  metadata: string;
  createDate: string;
  validUntil: string;
}

/** Temporary credentials issued by STS; they authenticate later calls as the assumed role. */
export interface RoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  accountId: string;
  roleArn: string;
  sessionName: string;
  assumedRoleId: string;
  sourceIdentity?: string | undefined;
  tags: Record<string, string>;
}

export interface SandboxState {
  organization: Organization;
  accounts: Account[];
  roles: Role[];
  users: User[];
  policies: ManagedPolicy[];
  samlProviders: SamlProvider[];
  sessions: RoleSession[];
  /** Absent in sandboxes persisted before Identity Center was emulated. */
  identityCenter?: IdentityCenterState | undefined;
  /** Absent until the first stack is created. */
  cloudFormation?: CloudFormationState | undefined;
}
