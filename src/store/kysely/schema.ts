import type { Generated } from "kysely";
/** Row shapes as stored. Timestamps are ISO-8601 UTC strings in both dialects so they sort and compare alike. */

export interface UsersTable {
  id: string;
  login: string;
  /** Lower-cased login: the unique key (logins are case-insensitive). */
  login_key: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  status: string;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  status_changed_at: string;
  password_changed_at: string | null;
  last_login_at: string | null;
  version: number;
  totp_secret_sealed: string | null;
  totp_last_step: number | null;
}

export interface GroupsTable {
  id: string;
  name: string;
  name_key: string;
  description: string | null;
  source: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
  members_updated_at: string;
  version: number;
}

export interface GroupMembersTable {
  user_id: string;
  group_id: string;
  created_at: string;
  /** 1 when the membership was made directly; 0 when only membership rules hold it. */
  direct: Generated<number>;
}

export interface MembershipRulesTable {
  id: string;
  from_group_id: string;
  to_group_id: string;
  created_at: string;
  created_by: string;
}

export interface MembershipRuleGrantsTable {
  rule_id: string;
  user_id: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  prefix: string;
  token_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  kind: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface AdminRolesTable {
  user_id: string;
  role: string;
  created_at: string;
}

export interface SystemLogTable {
  id: string;
  published: string;
  actor_type: string;
  actor_id: string | null;
  actor_display: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_display: string | null;
  outcome: string;
  summary: string;
  request_id: string | null;
}

export interface AppsTable {
  id: string;
  slug: string;
  type: string;
  label: string;
  status: string;
  settings: string;
  created_at: string;
  updated_at: string;
  version: number;
  /** 017: provisioning apps' "Enable API integration"; 1 for every app that existed before it. */
  provisioning_enabled: Generated<number>;
}

export interface AppAssignmentsTable {
  app_id: string;
  principal_type: string;
  principal_id: string;
  profile: string;
  created_at: string;
  updated_at: string;
  priority: number | null;
}

export interface AppUpgradeNoticesTable {
  id: string;
  app_id: string;
  kind: string;
  created_at: string;
  details: string | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
}

export interface AppSigningKeysTable {
  id: string;
  app_id: string;
  state: string;
  bits: number;
  certificate_pem: string;
  private_key_sealed: string;
  not_after: string;
  created_at: string;
  activated_at: string | null;
  retired_at: string | null;
}

export interface AppSecretsTable {
  app_id: string;
  name: string;
  sealed: string;
  updated_at: string;
}

export interface AwsRoleCatalogTable {
  app_id: string;
  account_id: string;
  alias: string | null;
  roles: string;
  status: string;
  error: string | null;
  refreshed_at: string;
}

export interface AwsRefreshRunsTable {
  app_id: string;
  lease_until: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  error: string | null;
}

export interface ProvisioningFullSyncsTable {
  app_id: string;
  lease_until: string;
  started_at: string;
  finished_at: string | null;
  error: string | null;
}

export interface ProvisioningOutboxTable {
  id: string;
  kind: string;
  object_id: string;
  app_id: string | null;
  payload: string;
  created_at: string;
  next_attempt_at: string;
  attempts: number;
  claimed_by: string | null;
  claimed_until: string | null;
  last_error: string | null;
}

export interface ProvisionedObjectsTable {
  app_id: string;
  kind: string;
  object_id: string;
  remote_id: string | null;
  status: string;
  last_error: string | null;
  members: string | null;
  in_doubt: string | null;
  synced_at: string;
}

export interface SignInThrottleTable {
  key: string;
  login_key: string | null;
  attempts: number;
  window_start: string;
}

export interface PolicyBackupsTable {
  id: string;
  app_id: string;
  principal_arn: string;
  target: string;
  old_document: string | null;
  new_document: string;
  old_version_id: string | null;
  new_version_id: string | null;
  deleted_version: string | null;
  status: string;
  reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeviceAuthorizationsTable {
  id: string;
  device_code_hash: string;
  user_code_hash: string;
  client_id: string;
  scope: string;
  status: string;
  user_id: string | null;
  interval_seconds: number;
  last_polled_at: string | null;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
}

export interface CliSessionsTable {
  id: string;
  user_id: string;
  client_id: string;
  access_token_hash: string;
  refresh_token_hash: string;
  access_expires_at: string;
  session_expires_at: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface MigrationRunsTable {
  id: string;
  from_app_id: string;
  from_slug: string;
  to_slug: string;
  state: string;
  plan: string;
  created_at: string;
  updated_at: string;
}

export interface MigrationStepsTable {
  run_id: string;
  key: string;
  seq: number;
  kind: string;
  status: string;
  result: string;
  done_at: string;
  undone_at: string | null;
}

export interface DirectorySourcesTable {
  id: string;
  name: string;
  type: string;
  /** JSON of the source's settings (never the password). */
  settings: string;
  bind_password_sealed: string;
  created_at: string;
  updated_at: string;
  version: number;
  cursor: string | null;
  last_sync_at: string | null;
  last_sync_kind: string | null;
  last_sync_status: string | null;
  last_sync_error: string | null;
  last_sync_counts: string | null;
  /** When the last successful full sync finished: the schedule's full syncs count from it. */
  last_full_sync_at: string | null;
  lease_until: string | null;
}

export interface DirectorySourceEntriesTable {
  source_id: string;
  kind: string;
  external_id: string;
  object_id: string;
  dn: string;
  dn_key: string;
}

export interface ServerInfoTable {
  node: string;
  public_url: string;
  listen_url: string;
  data_dir: string | null;
  started_at: string;
}

export interface ActivationTokensTable {
  token_hash: string;
  user_id: string;
  purpose: string;
  created_at: string;
  expires_at: string;
  created_by: string;
}

export interface Database {
  scim_budgets: ScimBudgetsTable;
  server_info: ServerInfoTable;
  activation_tokens: ActivationTokensTable;
  sign_in_throttle: SignInThrottleTable;
  migration_runs: MigrationRunsTable;
  migration_steps: MigrationStepsTable;
  policy_backups: PolicyBackupsTable;
  device_authorizations: DeviceAuthorizationsTable;
  cli_sessions: CliSessionsTable;
  directory_sources: DirectorySourcesTable;
  directory_source_entries: DirectorySourceEntriesTable;
  provisioned_objects: ProvisionedObjectsTable;
  provisioning_outbox: ProvisioningOutboxTable;
  provisioning_full_syncs: ProvisioningFullSyncsTable;
  aws_role_catalog: AwsRoleCatalogTable;
  aws_refresh_runs: AwsRefreshRunsTable;
  apps: AppsTable;
  app_assignments: AppAssignmentsTable;
  app_upgrade_notices: AppUpgradeNoticesTable;
  app_signing_keys: AppSigningKeysTable;
  app_secrets: AppSecretsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  membership_rules: MembershipRulesTable;
  membership_rule_grants: MembershipRuleGrantsTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  admin_roles: AdminRolesTable;
  system_log: SystemLogTable;
}

export interface ScimBudgetsTable {
  app_id: string;
  class: string;
  tokens: number;
  updated_ms: number;
  paused_until_ms: Generated<number>;
  granted: Generated<number>;
}
