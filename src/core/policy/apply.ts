import {
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DeleteUserPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListPolicyVersionsCommand,
  PutUserPolicyCommand,
  SetDefaultPolicyVersionCommand,
} from "@aws-sdk/client-iam";
import type { PolicyBackup, PolicyTarget } from "../../store/contract-policy.js";
import { awsErrorSummary } from "../aws/clients.js";
import { DomainError } from "../errors.js";

/** IAM keeps at most this many versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** An AWS refusal as our error: whose permission was missing, and how to give rolebridge one that has it. */
export function writeFailed(what: string, err: unknown): DomainError {
  const { code, message } = awsErrorSummary(err);
  const hint = /AccessDenied/.test(code)
    ? " — set policy administrator credentials for the app (rolebridge migrate policy admin-credentials)"
    : "";
  return new DomainError("remote_failed", `${what} failed: ${code}: ${message}${hint}`, { code });
}

/**
 * Writes the new document: a new default version of a managed policy (deleting the oldest non-default version
 * first when IAM's 5 are taken; `saveDeleted` keeps its document before it is gone), or the inline policy.
 */
export async function writePolicy(
  iam: IAMClient,
  target: PolicyTarget,
  document: string,
  saveDeleted: (deleted: { versionId: string; document: string }) => Promise<void>,
): Promise<{ newVersionId: string | null }> {
  if (target.kind === "inline") {
    if (target.principal !== "user")
      throw new DomainError("conflict", "the fix writes inline policies of IAM users only");
    await iam.send(
      new PutUserPolicyCommand({
        UserName: target.principalName,
        PolicyName: target.policyName,
        PolicyDocument: document,
      }),
    );
    return { newVersionId: null };
  }
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: target.policyArn }))).Versions ?? [];
  if (versions.length >= MAX_POLICY_VERSIONS) {
    const oldest = [...versions]
      .filter((v) => !v.IsDefaultVersion && v.VersionId)
      .sort(
        (a, b) =>
          (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) || versionNumber(a) - versionNumber(b),
      )[0];
    if (!oldest?.VersionId) throw new DomainError("conflict", `${target.policyArn} has no version that may be deleted`);
    const got = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: target.policyArn, VersionId: oldest.VersionId }),
    );
    await saveDeleted({ versionId: oldest.VersionId, document: decodeURIComponent(got.PolicyVersion?.Document ?? "") });
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: target.policyArn, VersionId: oldest.VersionId }));
  }
  const created = await iam.send(
    new CreatePolicyVersionCommand({ PolicyArn: target.policyArn, PolicyDocument: document, SetAsDefault: true }),
  );
  return { newVersionId: created.PolicyVersion?.VersionId ?? null };
}

const versionNumber = (v: { VersionId?: string | undefined }) => Number(/^v(\d+)/.exec(v.VersionId ?? "")?.[1] ?? 0);

/** Puts the saved policy back: the old inline document (or no inline policy), or the old default version. */
export async function restorePolicy(iam: IAMClient, backup: PolicyBackup): Promise<void> {
  const t = backup.target;
  if (t.kind === "inline") {
    if (backup.oldDocument === null) {
      await iam
        .send(new DeleteUserPolicyCommand({ UserName: t.principalName, PolicyName: t.policyName }))
        .catch((err) => {
          if (!/NoSuchEntity/.test(awsErrorSummary(err).code)) throw err;
        });
    } else {
      await iam.send(
        new PutUserPolicyCommand({
          UserName: t.principalName,
          PolicyName: t.policyName,
          PolicyDocument: backup.oldDocument,
        }),
      );
    }
    return;
  }
  if (backup.oldVersionId)
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: t.policyArn, VersionId: backup.oldVersionId }));
  if (backup.newVersionId && backup.newVersionId !== backup.oldVersionId) {
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: t.policyArn, VersionId: backup.newVersionId }));
  }
}
