import { auditDocument, SIZE_QUOTAS, simulatable, sizeFinding } from "./audit-document.js";
import type { IntegrationContext } from "./context.js";
import { type ParsedPolicy, parsePolicy } from "./document.js";
import { type Finding, sortFindings } from "./findings.js";
import { integrationFindings } from "./proof.js";

/**
 * Audits a document not yet applied (`--file`): its grammar (a parse error is thrown with line and column), its
 * statements, IAM's managed-policy size quota, and whether it still allows every call the integration makes.
 */
export async function auditPolicyText(name: string, text: string, ctx: IntegrationContext): Promise<Finding[]> {
  const policy = parsePolicy(name, text, "identity");
  const findings = await auditDocument(policy, ctx);
  const size = sizeFinding(name, [text], SIZE_QUOTAS.managed, "the document");
  if (size) findings.push(size);
  findings.push(...(await integrationFindings(ctx, [{ name, policy: await simulatable(policy) }])));
  return sortFindings(findings);
}

/** Audits a principal's complete set of identity policies together (they are evaluated together). */
export async function auditPolicies(
  policies: ParsedPolicy[],
  ctx: IntegrationContext,
  quota: { limit: number; what: string },
  inlineNames: string[],
  /** False when some policy could not be read: a denial then proves nothing. */
  complete: boolean,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const p of policies) findings.push(...(await auditDocument(p, ctx)));
  const inline = policies.filter((p) => inlineNames.includes(p.name));
  const size = sizeFinding(
    "inline policies",
    inline.map((p) => p.text),
    quota.limit,
    quota.what,
  );
  if (size) findings.push(size);
  for (const p of policies.filter((p) => !inlineNames.includes(p.name))) {
    const one = sizeFinding(p.name, [p.text], SIZE_QUOTAS.managed, "the managed policy");
    if (one) findings.push(one);
  }
  if (!complete) return findings;
  const docs = await Promise.all(policies.map(async (p) => ({ name: p.name, policy: await simulatable(p) })));
  findings.push(...(await integrationFindings(ctx, docs)));
  return findings;
}
