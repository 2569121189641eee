import { actionGlob } from "./catalogue.js";
import { assumedAccounts, type IntegrationContext } from "./context.js";
import { listOf } from "./document.js";
import type { Finding } from "./findings.js";

const hasPrincipalCondition = (condition: unknown) =>
  /"(aws:PrincipalArn|sts:ExternalId)"/i.test(JSON.stringify(condition ?? {}));

/**
 * The cross-account role in each other connected account: present, and trusting no more than the
 * integration's principal. An account root, or "*", admits every principal an identity policy lets through.
 */
export function trustFindings(ctx: IntegrationContext): Finding[] {
  const findings: Finding[] = [];
  for (const accountId of assumedAccounts(ctx)) {
    const account = ctx.accounts.find((a) => a.accountId === accountId);
    if (!account?.reachable) continue;
    const role = account.roles.find((r) => r.name === ctx.crossAccountRoleName);
    if (!role) {
      findings.push({
        severity: "high",
        code: "cross_account_role_missing",
        message: `account ${accountId} has no role ${ctx.crossAccountRoleName}: the refresh cannot list its roles`,
      });
      continue;
    }
    const name = `trust:${role.arn}`;
    let trust: { Statement?: unknown };
    try {
      trust = JSON.parse(role.trustPolicy ?? "{}") as { Statement?: unknown };
    } catch {
      continue;
    }
    const statements = (Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement]) as Array<
      Record<string, unknown> | undefined
    >;
    statements.forEach((s, index) => {
      if (s?.Effect !== "Allow") return;
      if (!listOf(s.Action).some((a) => actionGlob(a).test("sts:AssumeRole"))) return;
      const principal = s.Principal;
      const aws = principal === "*" ? ["*"] : listOf((principal as { AWS?: unknown } | undefined)?.AWS);
      const narrowed = hasPrincipalCondition(s.Condition);
      const suggestion = `"Condition": {"ArnEquals": {"aws:PrincipalArn": "${ctx.principalArn}"}}`;
      for (const p of aws) {
        const root = /^(\d{12})$|^arn:[^:]+:iam::(\d{12}):root$/.exec(p);
        if (p === "*") {
          findings.push({
            severity: narrowed ? "medium" : "high",
            code: "trust_too_broad",
            policy: name,
            statement: index,
            message: `${role.arn} trusts every AWS principal ("*")${narrowed ? " narrowed only by a condition" : ""}: trust ${ctx.principalArn} alone`,
            suggestion: `"Principal": {"AWS": "${ctx.principalArn}"}`,
          });
        } else if (root && !narrowed) {
          findings.push({
            severity: "medium",
            code: "trust_too_broad",
            policy: name,
            statement: index,
            message: `${role.arn} trusts all of account ${root[1] ?? root[2]}: any principal there whose policy allows sts:AssumeRole can use it, not only ${ctx.principalArn}. Add an aws:PrincipalArn (or sts:ExternalId) condition`,
            suggestion,
          });
        } else if (!root && p !== ctx.principalArn) {
          findings.push({
            severity: "low",
            code: "trust_admits_others",
            policy: name,
            statement: index,
            message: `${role.arn} also trusts ${p}, which is not the integration's principal`,
          });
        }
      }
    });
  }
  return findings;
}
