/** Where a narrowed policy was written: a principal's inline policy, or a customer managed policy's versions. */
export type PolicyTarget =
  | { kind: "inline"; principal: "user" | "role"; principalName: string; policyName: string }
  | { kind: "managed"; policyArn: string };

/**
 * One policy fix, saved before it is written so it can always be undone: the old document (inline) or the old
 * default version (managed). Its status is the fix's journal: "applying" until AWS has the new policy and it
 * was verified, then "applied"; "restored" when verification failed and the old policy was put back;
 * "rolled_back" after `policy rollback`.
 */
export interface PolicyBackup {
  id: string;
  appId: string;
  principalArn: string;
  target: PolicyTarget;
  /** The inline document before the fix; null when the fix created the inline policy. */
  oldDocument: string | null;
  newDocument: string;
  oldVersionId: string | null;
  newVersionId: string | null;
  /** A non-default version deleted to stay within IAM's 5 versions: kept here so nothing is lost. */
  deletedVersion: { versionId: string; document: string } | null;
  status: "applying" | "applied" | "restored" | "rolled_back";
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

export type PolicyBackupChange = Partial<Pick<PolicyBackup, "status" | "reason" | "newVersionId" | "deletedVersion">>;

export interface PolicyBackupRepo {
  insert(backup: PolicyBackup): Promise<void>;
  update(id: string, change: PolicyBackupChange, at: string): Promise<void>;
  /** The newest backup of an app in one of the given states. */
  latest(appId: string, statuses: PolicyBackup["status"][]): Promise<PolicyBackup | null>;
  /** Every backup of an app, newest first. */
  list(appId: string): Promise<PolicyBackup[]>;
}
