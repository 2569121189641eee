import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "../aws/clients.js";
import { assumeCrossAccountRole, callerIdentity, readConnectedAccounts } from "../aws/role-discovery.js";
import { DomainError } from "../errors.js";
import { auditPolicies, auditPolicyText } from "./audit.js";
import { auditDocument, SIZE_QUOTAS } from "./audit-document.js";
import { assumedAccounts, crossAccountRoleArnIn, type IntegrationContext } from "./context.js";
import { type ParsedPolicy, parsePolicy } from "./document.js";
import { type Finding, sortFindings } from "./findings.js";
import { keyFindings, type PrincipalReading, principalFromArn, readPrincipal } from "./read.js";
import { trustFindings } from "./trust.js";

/** How the audit reaches AWS for one app: the API-mode keys, and optionally an administrator's for IAM reads. */
export interface PolicyConnection {
  factory: AwsClientFactory;
  target: AwsTarget;
  keys: AwsCredentials;
  /** Used to read and write IAM policies when set; otherwise the app's own keys read. */
  admin: AwsCredentials | null;
  connectedAccountIds: readonly string[];
  crossAccountRoleName: string;
}

export interface Gathered {
  ctx: IntegrationContext;
  reading: PrincipalReading | null;
  parsed: ParsedPolicy[];
  findings: Finding[];
}

/** The integration's view of AWS: who the keys are and every connected account's roles with trust policies. */
export async function integrationContext(
  conn: PolicyConnection,
  principalArn?: string,
): Promise<{ ctx: IntegrationContext; keysArn: string }> {
  let identity: { accountId: string; arn: string };
  try {
    identity = await callerIdentity(conn.factory, conn.target, conn.keys);
  } catch (err) {
    const { code, message } = awsErrorSummary(err);
    const network = /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN/.test(
      `${(err as { code?: string }).code} ${message}`,
    );
    const where = conn.target.endpointUrl ?? "AWS";
    throw new DomainError(
      "remote_failed",
      network ? `${where} could not be reached: ${message}` : `AWS refused the app's access key: ${code}: ${message}`,
      { code },
    );
  }
  const readings = await readConnectedAccounts(conn.factory, conn.target, conn.keys, {
    connectedAccountIds: conn.connectedAccountIds,
    crossAccountRoleName: conn.crossAccountRoleName,
    sessionName: "rolebridge-policy-audit",
  });
  const ctx: IntegrationContext = {
    partition: conn.target.partition,
    sourceAccountId: identity.accountId,
    principalArn: principalArn ? principalFromArn(principalArn).arn : identity.arn,
    crossAccountRoleName: conn.crossAccountRoleName,
    accounts: readings.map((r) => ({
      accountId: r.accountId,
      reachable: r.status === "ok",
      error: r.error,
      roles: r.roles,
    })),
  };
  return { ctx, keysArn: identity.arn };
}

const unreachable = (ctx: IntegrationContext): Finding[] =>
  ctx.accounts
    .filter((a) => !a.reachable)
    .map((a) => ({
      severity: "high" as const,
      code: "account_unreachable",
      message: `account ${a.accountId} could not be read (${a.error ?? "no answer"}): its roles and trust policy were not checked`,
    }));

/**
 * Everything the audit reports: for a document (`file`), its own defects; for a principal (the keys' user by
 * default, or `principalArn`), all of its policies together, its access keys and the cross-account roles' trust.
 */
export async function gather(
  conn: PolicyConnection,
  opts: { principalArn?: string; file?: { name: string; text: string } },
  now: Date,
): Promise<Gathered> {
  const { ctx } = await integrationContext(conn, opts.principalArn);
  if (opts.file) {
    const findings = [...unreachable(ctx), ...(await auditPolicyText(opts.file.name, opts.file.text, ctx))];
    return { ctx, reading: null, parsed: [], findings: sortFindings(findings) };
  }
  const principal = principalFromArn(ctx.principalArn);
  const reading = await readPrincipal(
    conn.factory,
    conn.target,
    await readerFor(conn, ctx, principal.accountId),
    principal,
  );
  const findings: Finding[] = [...unreachable(ctx), ...reading.gaps];
  const parsed: ParsedPolicy[] = [];
  for (const p of reading.policies) {
    try {
      parsed.push(parsePolicy(p.name, p.text));
    } catch (err) {
      findings.push({ severity: "high", code: "unparsable", policy: p.name, message: (err as Error).message });
    }
  }
  if (!reading.policies.length && !reading.gaps.length) {
    findings.push({
      severity: "high",
      code: "no_policies",
      message: `${principal.arn} has no inline or attached policies: every call of the integration is denied`,
    });
  }
  const inline = reading.policies.filter((p) => p.kind === "inline").map((p) => p.name);
  const quota =
    principal.kind === "user"
      ? { limit: SIZE_QUOTAS.userInline, what: `the inline policies of ${principal.name}` }
      : { limit: SIZE_QUOTAS.roleInline, what: `the inline policies of ${principal.name}` };
  findings.push(...(await auditPolicies(parsed, ctx, quota, inline, reading.gaps.length === 0)));
  findings.push(...keyFindings(reading, conn.keys.accessKeyId, now));
  findings.push(...trustFindings(ctx));
  findings.push(...(await crossAccountRolePermissions(conn, ctx)));
  return { ctx, reading, parsed, findings: sortFindings(findings) };
}

/**
 * Who reads a principal's policies: in the keys' account the administrator keys (else the keys); in another
 * connected account the cross-account role's session, the only credentials the integration has there.
 */
async function readerFor(conn: PolicyConnection, ctx: IntegrationContext, accountId: string): Promise<AwsCredentials> {
  if (accountId === ctx.sourceAccountId) return conn.admin ?? conn.keys;
  if (!ctx.accounts.some((a) => a.accountId === accountId)) {
    throw new DomainError("validation_failed", `account ${accountId} is not a connected account of this app`, {
      errors: [{ path: "/principalArn", message: "not in a connected account" }],
    });
  }
  const { sts } = await conn.factory(conn.target, conn.keys);
  try {
    return await assumeCrossAccountRole(
      sts,
      conn.target,
      accountId,
      ctx.crossAccountRoleName,
      "rolebridge-policy-audit",
    );
  } catch (err) {
    const { code, message } = awsErrorSummary(err);
    throw new DomainError("remote_failed", `account ${accountId} could not be reached: ${code}: ${message}`, { code });
  }
}

/**
 * The cross-account role's own permissions in each other connected account, read through its own session (the
 * only credentials the integration has there). What it may not read is said as information: the fix never
 * changes these roles, so it does not wait for them.
 */
async function crossAccountRolePermissions(conn: PolicyConnection, ctx: IntegrationContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const { sts } = await conn.factory(conn.target, conn.keys);
  for (const accountId of assumedAccounts(ctx)) {
    if (!ctx.accounts.find((a) => a.accountId === accountId)?.reachable) continue;
    const arn = crossAccountRoleArnIn(ctx, accountId);
    let session: Awaited<ReturnType<typeof assumeCrossAccountRole>>;
    try {
      session = await assumeCrossAccountRole(
        sts,
        conn.target,
        accountId,
        ctx.crossAccountRoleName,
        "rolebridge-policy-audit",
      );
    } catch {
      continue; // The account's reading already failed and was reported.
    }
    const reading = await readPrincipal(conn.factory, conn.target, session, principalFromArn(arn), false);
    for (const gap of reading.gaps) findings.push({ ...gap, severity: "info", code: "cannot_read_role" });
    for (const p of reading.policies) {
      try {
        const parsed = parsePolicy(`${arn} ${p.name}`, p.text);
        findings.push(...(await auditDocument(parsed, ctx)).filter((f) => f.severity !== "low"));
      } catch (err) {
        findings.push({
          severity: "high",
          code: "unparsable",
          policy: `${arn} ${p.name}`,
          message: (err as Error).message,
        });
      }
    }
  }
  return findings;
}
