import {
  GetAccessKeyLastUsedCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "../aws/clients.js";
import { DomainError } from "../errors.js";
import type { Finding } from "./findings.js";

export interface Principal {
  kind: "user" | "role";
  arn: string;
  name: string;
  accountId: string;
}

/** A user or role ARN, or an STS assumed-role ARN (read as its role). */
export function principalFromArn(arn: string): Principal {
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(user|role|assumed-role)\/(.+)$/.exec(arn);
  if (!m)
    throw new DomainError("validation_failed", `${arn} is not an IAM user or role ARN`, {
      errors: [{ path: "/principal", message: "not an IAM user or role ARN" }],
    });
  const [, partition, , accountId = "", type, rest = ""] = m;
  if (type === "assumed-role") {
    const role = rest.split("/")[0]!;
    return { kind: "role", arn: `arn:${partition}:iam::${accountId}:role/${role}`, name: role, accountId };
  }
  return { kind: type as "user" | "role", arn, name: rest.slice(rest.lastIndexOf("/") + 1), accountId };
}

export interface ReadPolicy {
  /** "inline:<name>" or the managed policy's ARN. */
  name: string;
  kind: "inline" | "managed";
  policyName: string;
  arn?: string;
  defaultVersionId?: string;
  awsManaged?: boolean;
  text: string;
}

export interface ReadKey {
  accessKeyId: string;
  status: string;
  createDate: Date | null;
  lastUsed: Date | null;
  lastService: string | null;
}

export interface PrincipalReading {
  principal: Principal;
  policies: ReadPolicy[];
  keys: ReadKey[];
  /** What could not be read and why: each a "cannot_read" finding naming the missing permission. */
  gaps: Finding[];
}

const denied = (err: unknown) => /AccessDenied/.test(awsErrorSummary(err).code);

/**
 * Reads everything that grants the principal something: inline policies, attached managed policies at their
 * default version, and (for users) access keys with their last use. A refused read is recorded as a gap that
 * says which permission is missing and what went unchecked; any other AWS failure stops the read.
 */
export async function readPrincipal(
  factory: AwsClientFactory,
  target: AwsTarget,
  credentials: AwsCredentials,
  principal: Principal,
  /** Off when the principal is known to exist (a role just seen in ListRoles). */
  confirmExists = true,
): Promise<PrincipalReading> {
  const { iam } = await factory(target, credentials);
  const gaps: Finding[] = [];
  const attempt = async <T>(action: string, resource: string, unchecked: string, fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (err) {
      if (!denied(err)) {
        const { code, message } = awsErrorSummary(err);
        throw new DomainError("remote_failed", `reading ${principal.arn} failed: ${code}: ${message}`, { code });
      }
      gaps.push({
        severity: "medium",
        code: "cannot_read",
        message: `the credentials lack ${action} on ${resource}: ${unchecked} not checked`,
        policy: resource,
      });
      return undefined;
    }
  };
  const isUser = principal.kind === "user";
  // GetCallerIdentity named the principal; GetUser/GetRole confirm it exists (a named one may not).
  if (confirmExists) {
    await attempt(isUser ? "iam:GetUser" : "iam:GetRole", principal.arn, "that the principal exists was", async () => {
      if (isUser) await iam.send(new GetUserCommand({ UserName: principal.name }));
      else await iam.send(new GetRoleCommand({ RoleName: principal.name }));
    });
  }
  const policies: ReadPolicy[] = [];
  const inlineNames = await attempt(
    isUser ? "iam:ListUserPolicies" : "iam:ListRolePolicies",
    principal.arn,
    "its inline policies were",
    async () => listAll(iam, principal, "inline"),
  );
  for (const policyName of inlineNames ?? []) {
    const text = await attempt(
      isUser ? "iam:GetUserPolicy" : "iam:GetRolePolicy",
      principal.arn,
      `the inline policy ${policyName} was`,
      async () => {
        const got = isUser
          ? await iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: policyName }))
          : await iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName }));
        return decodeURIComponent(got.PolicyDocument ?? "");
      },
    );
    if (text !== undefined) policies.push({ name: `inline:${policyName}`, kind: "inline", policyName, text });
  }
  const attached = await attempt(
    isUser ? "iam:ListAttachedUserPolicies" : "iam:ListAttachedRolePolicies",
    principal.arn,
    "its attached managed policies were",
    async () => listAll(iam, principal, "attached"),
  );
  for (const arn of attached ?? []) {
    const read = await attempt(
      "iam:GetPolicy and iam:GetPolicyVersion",
      arn,
      `the managed policy ${arn} was`,
      async () => {
        const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
        const versionId = policy?.DefaultVersionId ?? "v1";
        const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
        return {
          versionId,
          text: decodeURIComponent(version.PolicyVersion?.Document ?? ""),
          name: policy?.PolicyName ?? arn,
        };
      },
    );
    if (read)
      policies.push({
        name: arn,
        kind: "managed",
        policyName: read.name,
        arn,
        defaultVersionId: read.versionId,
        awsManaged: /:iam::aws:policy\//.test(arn),
        text: read.text,
      });
  }
  const keys: ReadKey[] = [];
  if (isUser) {
    const listed = await attempt(
      "iam:ListAccessKeys",
      principal.arn,
      "the age of its access keys was",
      async () => (await iam.send(new ListAccessKeysCommand({ UserName: principal.name }))).AccessKeyMetadata ?? [],
    );
    for (const k of listed ?? []) {
      if (!k.AccessKeyId) continue;
      const used = await attempt(
        "iam:GetAccessKeyLastUsed",
        principal.arn,
        `the last use of key ${k.AccessKeyId} was`,
        async () => (await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }))).AccessKeyLastUsed,
      );
      keys.push({
        accessKeyId: k.AccessKeyId,
        status: k.Status ?? "Active",
        createDate: k.CreateDate ?? null,
        lastUsed: used?.LastUsedDate ?? null,
        lastService: used?.ServiceName ?? null,
      });
    }
  }
  return { principal, policies, keys, gaps };
}

async function listAll(iam: IAMClient, principal: Principal, what: "inline" | "attached"): Promise<string[]> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page =
      what === "inline"
        ? principal.kind === "user"
          ? await iam.send(new ListUserPoliciesCommand({ UserName: principal.name, Marker: marker }))
          : await iam.send(new ListRolePoliciesCommand({ RoleName: principal.name, Marker: marker }))
        : principal.kind === "user"
          ? await iam.send(new ListAttachedUserPoliciesCommand({ UserName: principal.name, Marker: marker }))
          : await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: principal.name, Marker: marker }));
    if ("PolicyNames" in page) out.push(...(page.PolicyNames ?? []));
    if ("AttachedPolicies" in page)
      out.push(...(page.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

const DAY = 86_400_000;

/** Keys older than 90 days, keys never used, keys unused for 90 days: each a second way in to remove or rotate. */
export function keyFindings(reading: PrincipalReading, inUse: string, now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const k of reading.keys) {
    const label = `access key ${k.accessKeyId}${k.accessKeyId === inUse ? " (the app's key)" : ""}`;
    if (k.createDate && now.getTime() - k.createDate.getTime() > 90 * DAY) {
      findings.push({
        severity: "medium",
        code: "key_old",
        message: `${label} is ${Math.floor((now.getTime() - k.createDate.getTime()) / DAY)} days old: rotate it (create a new key, set it in rolebridge, delete the old)`,
      });
    }
    if (k.status !== "Active") continue;
    if (!k.lastUsed && k.accessKeyId !== inUse) {
      findings.push({
        severity: "medium",
        code: "key_unused",
        message: `${label} has never been used: delete it, it is a second way in`,
      });
    } else if (k.lastUsed && now.getTime() - k.lastUsed.getTime() > 90 * DAY) {
      findings.push({
        severity: "low",
        code: "key_unused",
        message: `${label} was last used ${k.lastUsed.toISOString().slice(0, 10)}: delete it if nothing needs it`,
      });
    }
  }
  return findings;
}
