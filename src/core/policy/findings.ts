/** How much a finding matters: high = exploitable or breaks the integration; info = nothing to fix. */
export type Severity = "high" | "medium" | "low" | "info";

export const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** One defect or fact the audit reports, located as precisely as the source allows. */
export interface Finding {
  severity: Severity;
  /** Stable machine code, e.g. "assume_role_wildcard". */
  code: string;
  message: string;
  /** The policy it is in: "inline:<name>", a managed policy ARN, a trust policy "trust:<role arn>", a file name. */
  policy?: string;
  /** Index of the statement in the policy's Statement list. */
  statement?: number;
  /** Where in the document, as @cloud-copilot/iam-policy names it: "Statement[0].Action[1]". */
  path?: string;
  /** 1-based line and column of `path` in the document's text. */
  line?: number;
  column?: number;
  /** What to write instead ("did you mean"). */
  suggestion?: string;
}

export const sortFindings = (findings: Finding[]): Finding[] =>
  [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.policy ?? "").localeCompare(b.policy ?? "") ||
      (a.statement ?? -1) - (b.statement ?? -1),
  );
