import {
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateSAMLProviderCommand,
} from "@aws-sdk/client-iam";
import { awsErrorSummary } from "../../aws/clients.js";
import { DomainError } from "../../errors.js";
import type { AccountSession } from "./account-session.js";
import { remoteFailure } from "./account-session.js";
import { readProvider, readTrustPolicy, splitRoleArn } from "./account-state.js";
import type { AccountSamlPlan, SamlTarget } from "./plan.js";
import { sameDocument, samlStatement, withoutStatement, withSamlStatement } from "./trust-policy.js";

/**
 * One unit of work the migration journal records: `runStep` does it, `undoStep` takes it back. Steps carry what the
 * plan saw, so a step re-run after a crash (done in AWS, not yet recorded) still knows it was the one that made the
 * change, and its undo removes exactly that. All fields are plain JSON, for the journal.
 */
export type SamlStep = ProviderStep | TrustStep;

export interface ProviderStep {
  kind: "provider";
  accountId: string;
  providerName: string;
  metadata: string;
  /** The plan's view of the account: the metadata there before (null: no provider, this step creates it). */
  metadataBefore: string | null;
}

export interface TrustStep {
  kind: "trust";
  accountId: string;
  roleArn: string;
  providerArn: string;
  providerName: string;
  acsUrls: string[];
  /** The trust policy the plan saw, and what this step writes when the role still has it. */
  before: string;
  after: string;
}

export type StepResult = ProviderResult | TrustResult;

export interface ProviderResult {
  kind: "provider";
  outcome: "created" | "updated" | "unchanged";
  providerArn: string;
  /** True only when this step (or its crashed earlier run) created the provider: only then does undo delete it. */
  created: boolean;
  /** The metadata this step replaced, restored by undo (null unless updated). */
  previousMetadata: string | null;
}

export interface TrustResult {
  kind: "trust";
  outcome: "added" | "unchanged";
  roleArn: string;
  /** The document before and after this step's write (null when it wrote nothing). */
  before: string | null;
  after: string | null;
}

export interface UndoResult {
  outcome: "deleted" | "restored" | "statement-removed" | "nothing-to-undo";
  detail: string;
}

/** The journal's key for a step: stable across plans of the same migration. */
export function stepKey(step: SamlStep): string {
  return step.kind === "provider"
    ? `saml-provider:${step.accountId}:${step.providerName}`
    : `saml-trust:${step.accountId}:${step.roleArn}`;
}

/** The steps that apply one account's plan, provider first; nothing for what is already in place or missing. */
export function stepsForPlan(plan: AccountSamlPlan, target: SamlTarget): SamlStep[] {
  const steps: SamlStep[] = [];
  if (plan.provider.action !== "unchanged") {
    steps.push({
      kind: "provider",
      accountId: plan.accountId,
      providerName: target.providerName,
      metadata: target.metadata,
      metadataBefore: plan.provider.metadataBefore,
    });
  }
  for (const role of plan.roles) {
    if (role.action !== "add" || role.before === null || role.after === null) continue;
    steps.push({
      kind: "trust",
      accountId: plan.accountId,
      roleArn: role.roleArn,
      providerArn: plan.provider.arn,
      providerName: target.providerName,
      acsUrls: [...target.acsUrls],
      before: role.before,
      after: role.after,
    });
  }
  return steps;
}

function checkSession(session: AccountSession, step: SamlStep): void {
  if (session.accountId !== step.accountId) {
    throw new DomainError(
      "validation_failed",
      `step for ${step.accountId} run with a session for ${session.accountId}`,
    );
  }
}

const roleMissing = (step: TrustStep, during: string) =>
  new DomainError("remote_failed", `account ${step.accountId}: role ${step.roleArn} no longer exists (${during})`, {
    accountId: step.accountId,
    roleArn: step.roleArn,
    reason: "role_missing",
  });

/** Does the step; idempotent: a second run finds the work done and changes nothing. Throws `remote_failed`. */
export async function runStep(session: AccountSession, step: SamlStep): Promise<StepResult> {
  checkSession(session, step);
  try {
    return step.kind === "provider" ? await ensureProvider(session, step) : await ensureTrust(session, step);
  } catch (err) {
    throw remoteFailure(err, `account ${step.accountId}: ${stepKey(step)} failed`, { accountId: step.accountId });
  }
}

async function ensureProvider(session: AccountSession, step: ProviderStep): Promise<ProviderResult> {
  const current = await readProvider(session, step.providerName);
  if (current === null) {
    const made = await session.iam.send(
      new CreateSAMLProviderCommand({ Name: step.providerName, SAMLMetadataDocument: step.metadata }),
    );
    const providerArn = made.SAMLProviderArn ?? "";
    return { kind: "provider", outcome: "created", providerArn, created: true, previousMetadata: null };
  }
  if (current.metadata === step.metadata) {
    // Already ours: created by a run that crashed before it was recorded when the plan saw no provider.
    const created = step.metadataBefore === null;
    const previousMetadata = created ? null : step.metadataBefore === step.metadata ? null : step.metadataBefore;
    return { kind: "provider", outcome: "unchanged", providerArn: current.arn, created, previousMetadata };
  }
  await session.iam.send(
    new UpdateSAMLProviderCommand({ SAMLProviderArn: current.arn, SAMLMetadataDocument: step.metadata }),
  );
  return {
    kind: "provider",
    outcome: "updated",
    providerArn: current.arn,
    created: false,
    previousMetadata: current.metadata,
  };
}

async function ensureTrust(session: AccountSession, step: TrustStep): Promise<TrustResult> {
  const { roleName } = splitRoleArn(step.roleArn, session.partition, session.accountId);
  const current = await readTrustPolicy(session, roleName);
  if (current === null) throw roleMissing(step, "before its trust policy was read");
  const none = { kind: "trust", roleArn: step.roleArn } as const;
  // Our own write from a run that crashed before it was recorded: the plan's document is what we replaced.
  if (sameDocument(current, step.after) && !sameDocument(current, step.before))
    return { ...none, outcome: "added", before: step.before, after: step.after };
  const next = sameDocument(current, step.before)
    ? step.after
    : withSamlStatement(current, step.roleArn, step.providerArn, step.providerName, step.acsUrls);
  if (next === null) return { ...none, outcome: "unchanged", before: null, after: null };
  try {
    await session.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: next }));
  } catch (err) {
    if (awsErrorSummary(err).code.startsWith("NoSuchEntity")) throw roleMissing(step, "while its trust was updated");
    throw err;
  }
  return { ...none, outcome: "added", before: current, after: next };
}

/**
 * Takes a step back for rollback. `result` is what `runStep` returned; without it (the step's outcome was never
 * recorded) the step's own plan fields decide. Removes only what the step added: a provider only if it created
 * it, in a trust policy only its statement. Safe to re-run.
 */
export async function undoStep(session: AccountSession, step: SamlStep, result?: StepResult): Promise<UndoResult> {
  checkSession(session, step);
  try {
    return step.kind === "provider"
      ? await undoProvider(session, step, result?.kind === "provider" ? result : undefined)
      : await undoTrust(session, step, result?.kind === "trust" ? result : undefined);
  } catch (err) {
    throw remoteFailure(err, `account ${step.accountId}: undo of ${stepKey(step)} failed`, {
      accountId: step.accountId,
    });
  }
}

const nothing = (detail: string): UndoResult => ({ outcome: "nothing-to-undo", detail });

async function undoProvider(session: AccountSession, step: ProviderStep, result?: ProviderResult) {
  const current = await readProvider(session, step.providerName);
  if (current === null) return nothing(`provider ${step.providerName} is already gone`);
  const created = result ? result.created : step.metadataBefore === null && current.metadata === step.metadata;
  if (created) {
    await session.iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: current.arn }));
    return { outcome: "deleted", detail: `deleted provider ${current.arn}, which this step created` } as const;
  }
  const previous = result ? result.previousMetadata : step.metadataBefore;
  if (previous === null || current.metadata !== step.metadata)
    return nothing(`provider ${current.arn} was not changed by this step, or was changed since`);
  await session.iam.send(
    new UpdateSAMLProviderCommand({ SAMLProviderArn: current.arn, SAMLMetadataDocument: previous }),
  );
  return { outcome: "restored", detail: `restored the previous metadata of ${current.arn}` } as const;
}

async function undoTrust(session: AccountSession, step: TrustStep, result?: TrustResult) {
  if (result && result.outcome === "unchanged") return nothing(`${step.roleArn} was not changed by this step`);
  const before = result?.before ?? step.before;
  const after = result?.after ?? step.after;
  const { roleName } = splitRoleArn(step.roleArn, session.partition, session.accountId);
  const current = await readTrustPolicy(session, roleName);
  if (current === null) return nothing(`role ${step.roleArn} no longer exists`);
  // Untouched since our write: put the original text back exactly.
  const untouched = after !== null && sameDocument(current, after);
  let next: string | null = untouched ? before : null;
  // Changed since by someone else: keep their change, take out only our statement.
  next ??= withoutStatement(current, step.roleArn, samlStatement(step.providerArn, step.providerName, step.acsUrls));
  if (next === null) return nothing(`the trust policy of ${step.roleArn} does not hold this step's statement`);
  await session.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: next }));
  return {
    outcome: untouched ? "restored" : "statement-removed",
    detail: `${step.roleArn}: the statement for ${step.providerArn} removed`,
  } as const;
}
