/** CloudFormation's part of the sandbox state: stacks with their resources, events and change sets. */

export type StackStatus =
  | "REVIEW_IN_PROGRESS"
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_COMPLETE"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_ROLLBACK_IN_PROGRESS"
  | "UPDATE_ROLLBACK_COMPLETE"
  | "IMPORT_IN_PROGRESS"
  | "IMPORT_COMPLETE"
  | "IMPORT_ROLLBACK_COMPLETE"
  | "DELETE_IN_PROGRESS"
  | "DELETE_FAILED";

export interface StackResource {
  logicalId: string;
  type: string;
  physicalId: string;
  /** Properties as resolved when the resource was last written, to diff the next update against. */
  properties: Record<string, unknown>;
  attributes: Record<string, string>;
  deletionPolicy: "Delete" | "Retain";
  status: string;
  updated: string;
}

export interface StackEvent {
  eventId: string;
  logicalId: string;
  physicalId: string;
  resourceType: string;
  status: string;
  reason?: string | undefined;
  timestamp: string;
}

export interface StackChange {
  action: "Add" | "Modify" | "Remove" | "Import";
  logicalId: string;
  physicalId?: string | undefined;
  resourceType: string;
  replacement?: "True" | "False" | undefined;
}

export interface ResourceToImport {
  logicalId: string;
  type: string;
  /** The resource's identifier value (a role's name, a provider's ARN). */
  id: string;
}

export interface ChangeSet {
  id: string;
  name: string;
  type: "CREATE" | "UPDATE" | "IMPORT";
  /** For IMPORT: the existing resources the stack takes over, by logical id. */
  imports?: ResourceToImport[] | undefined;
  status: "CREATE_COMPLETE" | "FAILED";
  executionStatus: "AVAILABLE" | "UNAVAILABLE" | "EXECUTE_COMPLETE" | "OBSOLETE";
  statusReason?: string | undefined;
  description?: string | undefined;
  templateBody: string;
  parameters: Record<string, string>;
  capabilities: string[];
  changes: StackChange[];
  creationTime: string;
}

export interface Stack {
  stackId: string;
  name: string;
  accountId: string;
  region: string;
  description?: string | undefined;
  templateBody: string;
  parameters: Record<string, string>;
  capabilities: string[];
  status: StackStatus;
  statusReason?: string | undefined;
  disableRollback: boolean;
  creationTime: string;
  lastUpdatedTime?: string | undefined;
  resources: StackResource[];
  outputs: Array<{ key: string; value: string; description?: string | undefined }>;
  /** Oldest first; DescribeStackEvents answers newest first. */
  events: StackEvent[];
  changeSets: ChangeSet[];
}

export interface CloudFormationState {
  stacks: Stack[];
}
