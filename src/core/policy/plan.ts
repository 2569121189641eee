import type { PolicyTarget } from "../../store/contract-policy.js";
import { DomainError } from "../errors.js";
import { actionGlob } from "./catalogue.js";
import { listOf } from "./document.js";
import { type Gathered, gather, type PolicyConnection } from "./gather.js";
import { leastPrivilegePolicy, type PolicyDocument } from "./least-privilege.js";
import { type ProofRow, proofCases, simulate } from "./proof.js";
import type { ReadPolicy } from "./read.js";

/** The inline policy a fix creates when the principal has none that grants the integration anything. */
export const NEW_INLINE_POLICY = "rolebridge-legacy-api-mode";

export interface FixPlan {
  gathered: Gathered;
  target: PolicyTarget;
  /** The policy being replaced, if any. */
  current: ReadPolicy | undefined;
  after: string;
  proof: ProofRow[];
  changed: boolean;
}

/**
 * What a fix would write, and the proof that it is safe. Refuses (writing nothing) when the audit could not read
 * everything, when the principal is not a user, or when the principal's policies after the change fail the proof.
 */
export async function planFix(conn: PolicyConnection, app: string, now: Date): Promise<FixPlan> {
  const gathered = await gather(conn, {}, now);
  const blockers = gathered.findings.filter((f) =>
    ["cannot_read", "account_unreachable", "unparsable"].includes(f.code),
  );
  if (blockers.length || !gathered.reading) {
    throw new DomainError(
      "conflict",
      `the audit of ${app} is incomplete, so nothing was changed: ${blockers.map((f) => f.message).join("; ")}`,
      { findings: blockers },
    );
  }
  if (gathered.reading.principal.kind !== "user") {
    throw new DomainError("conflict", `the fix narrows IAM users' policies; ${gathered.ctx.principalArn} is a role`);
  }
  const proposed = leastPrivilegePolicy(gathered.ctx);
  const current = chooseTarget(gathered);
  const target: PolicyTarget = current?.arn
    ? { kind: "managed", policyArn: current.arn }
    : {
        kind: "inline",
        principal: "user",
        principalName: gathered.reading.principal.name,
        policyName: current?.policyName ?? NEW_INLINE_POLICY,
      };
  const others = gathered.parsed
    .filter((p) => p.name !== current?.name)
    .map((p) => ({ name: p.name, policy: p.document }));
  const proof = await simulate(
    gathered.ctx,
    [...others, { name: "proposed", policy: proposed }],
    proofCases(gathered.ctx),
  );
  const failed = proof.filter((r) => !r.ok);
  if (failed.length) {
    const rows = failed.map((r) => `${r.action} on ${r.resource} is ${r.decision}, expected ${r.expected}`).join("; ");
    const hint = others.length
      ? ` — other policies of the principal (${others.map((o) => o.name).join(", ")}) still grant it; narrow or detach them`
      : "";
    throw new DomainError(
      "conflict",
      `the narrowed policy does not prove safe, so nothing was changed: ${rows}${hint}`,
      {
        proof,
      },
    );
  }
  return {
    gathered,
    target,
    current,
    after: `${JSON.stringify(proposed, null, 2)}\n`,
    proof,
    changed: !current || !sameDocument(current.text, proposed),
  };
}

function sameDocument(text: string, doc: PolicyDocument): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(doc);
  } catch {
    return false;
  }
}

/**
 * The policy the fix rewrites: the one granting sts:AssumeRole (inline first, then customer managed), else the
 * first that grants the role-list calls, else the first writable one. AWS managed policies cannot be rewritten.
 */
function chooseTarget(g: Gathered): ReadPolicy | undefined {
  const writable = (g.reading?.policies ?? []).filter((p) => !p.awsManaged);
  const grants = (p: ReadPolicy, action: string) =>
    g.parsed
      .find((parsed) => parsed.name === p.name)
      ?.statements.some(
        (s) => s.body.Effect === "Allow" && listOf(s.body.Action).some((a) => actionGlob(a).test(action)),
      );
  const order = [...writable.filter((p) => p.kind === "inline"), ...writable.filter((p) => p.kind === "managed")];
  return (
    order.find((p) => grants(p, "sts:AssumeRole")) ??
    order.find((p) => grants(p, "iam:ListRoles") || grants(p, "iam:ListAccountAliases")) ??
    order[0]
  );
}
