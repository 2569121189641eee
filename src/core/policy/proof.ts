import { runSimulation } from "@cloud-copilot/iam-simulate";
import { assumedAccounts, crossAccountRoleArnIn, type IntegrationContext } from "./context.js";
import { keysCalls } from "./least-privilege.js";

export interface NamedDocument {
  name: string;
  policy: unknown;
}

export interface ProofCase {
  accountId: string;
  action: string;
  resource: string;
  expected: "allow" | "deny";
  why: string;
}

export interface ProofRow extends ProofCase {
  decision: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "error";
  ok: boolean;
}

/** An account no connected account can be: the proof's "unrelated account". */
export function unrelatedAccount(ctx: IntegrationContext): string {
  const taken = new Set(ctx.accounts.map((a) => a.accountId));
  for (let n = 999_999_999_999; ; n -= 111_111_111_111) if (!taken.has(String(n))) return String(n);
}

/**
 * What the proof checks: (a) every call the integration makes, on every connected account, is allowed;
 * (b) sts:AssumeRole on every other role of every connected account, and on the cross-account role's name in an
 * unrelated account, is denied.
 */
export function proofCases(ctx: IntegrationContext): ProofCase[] {
  const cases: ProofCase[] = [];
  const assumed = new Set(assumedAccounts(ctx).map((id) => crossAccountRoleArnIn(ctx, id)));
  for (const call of keysCalls()) {
    if (call.resource === "none" || call.resource === "*") {
      cases.push({
        accountId: ctx.sourceAccountId,
        action: call.action,
        resource: "*",
        expected: "allow",
        why: `the integration calls ${call.command}`,
      });
    } else {
      for (const arn of assumed) {
        cases.push({
          accountId: arn.split(":")[4] ?? "",
          action: call.action,
          resource: arn,
          expected: "allow",
          why: "the cross-account role the refresh assumes",
        });
      }
    }
  }
  for (const account of ctx.accounts) {
    for (const role of account.roles) {
      if (assumed.has(role.arn)) continue;
      cases.push({
        accountId: account.accountId,
        action: "sts:AssumeRole",
        resource: role.arn,
        expected: "deny",
        why: "a role the integration never assumes",
      });
    }
  }
  const stranger = unrelatedAccount(ctx);
  cases.push({
    accountId: stranger,
    action: "sts:AssumeRole",
    resource: `arn:${ctx.partition}:iam::${stranger}:role/${ctx.crossAccountRoleName}`,
    expected: "deny",
    why: "same role name in an unrelated account",
  });
  return cases;
}

/**
 * Decides each case with @cloud-copilot/iam-simulate from the principal's identity policies. For sts:AssumeRole
 * the role's trust policy is taken to admit the principal's account, so the row shows what the identity policy
 * alone allows — which is what the keys' holder gets from any role that trusts the account.
 */
export async function simulate(ctx: IntegrationContext, policies: NamedDocument[], cases: ProofCase[]) {
  const trustsSource = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:${ctx.partition}:iam::${ctx.sourceAccountId}:root` },
        Action: "sts:AssumeRole",
      },
    ],
  };
  const rows: ProofRow[] = [];
  for (const c of cases) {
    const outcome = await runSimulation(
      {
        request: {
          principal: ctx.principalArn,
          action: c.action,
          resource: { resource: c.resource, accountId: c.accountId },
          contextVariables: {},
        },
        identityPolicies: policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: c.action === "sts:AssumeRole" ? trustsSource : undefined,
      },
      {},
    );
    const decision = outcome.resultType === "error" ? "error" : (outcome.overallResult as ProofRow["decision"]);
    rows.push({ ...c, decision, ok: c.expected === "allow" ? decision === "Allowed" : decision.endsWith("Denied") });
  }
  return rows;
}

/** The proof as a text table, one row per case. */
export function proofTable(rows: ProofRow[]): string {
  const header = ["ACCOUNT", "ACTION", "RESOURCE", "EXPECTED", "SIMULATED", "OK"];
  const body = rows.map((r) => [r.accountId, r.action, r.resource, r.expected, r.decision, r.ok ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)].join("\n");
}

/** Calls of the integration the policies do not allow: each one is a refresh that would fail. */
export async function integrationFindings(
  ctx: IntegrationContext,
  policies: NamedDocument[],
): Promise<import("./findings.js").Finding[]> {
  const rows = await simulate(
    ctx,
    policies,
    proofCases(ctx).filter((c) => c.expected === "allow"),
  );
  const denied = rows.filter((r) => !r.ok);
  const byAction = new Map<string, ProofRow[]>();
  for (const r of denied) byAction.set(r.action, [...(byAction.get(r.action) ?? []), r]);
  return [...byAction].map(([action, list]) => ({
    severity: "high" as const,
    code: "integration_call_denied",
    message: `the policies do not allow ${action} on ${list.map((r) => r.resource).join(", ")}: ${
      action === "sts:AssumeRole"
        ? `the refresh cannot list roles in account${list.length > 1 ? "s" : ""} ${list.map((r) => r.accountId).join(", ")}`
        : "Test API Credentials passes but the refresh fails"
    }`,
  }));
}
