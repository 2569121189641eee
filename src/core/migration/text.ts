/** Human renderings of the migration documents, shared by the CLI and the report. */
import { roleWithPath } from "./group-names.js";
import type { Inventory } from "./model.js";
import type { Plan } from "./plan-model.js";
import type { ProofResult } from "./proof.js";

export type Table = { header: string[]; rows: string[][] };

export function inventorySummary(inv: Inventory): string[] {
  const users = inv.assignments.filter((a) => a.principalType === "user").length;
  const groups = inv.assignments.length - users;
  const lines = [
    `Inventory of ${inv.source.description} (${inv.app.status}), last refresh: ${inv.lastRefresh?.finishedAt ?? "never"} (${inv.lastRefresh?.status ?? "-"})`,
    `${inv.people.length} people reached: ${users} person assignment(s), ${groups} group assignment(s)`,
  ];
  for (const a of inv.accounts) {
    const aws =
      a.aws.status === "ok"
        ? `AWS: ${a.aws.roles?.length ?? 0} roles, providers ${a.aws.providers ? a.aws.providers.map((p) => p.name).join(", ") || "none" : `unreadable (${a.aws.providersError})`}`
        : a.aws.status === "offline"
          ? "AWS: not read (--offline)"
          : `AWS: unreachable (${a.aws.error})`;
    lines.push(
      `  ${a.accountId} ${a.alias ?? "(no alias)"}: ${a.roleList.roles.length} roles listed at refresh (${a.roleList.status}); ${aws}`,
    );
  }
  return lines;
}

export function roleGroupTable(plan: Plan, loginOf: (id: string) => string = (id) => id): Table {
  return {
    header: ["ROLE GROUP", "ROLE", "MEMBERS", "RULES FROM"],
    rows: plan.roleGroups.map((g) => [
      g.name,
      g.roleArn,
      g.members.length > 3 ? `${g.members.length} people` : g.members.map(loginOf).join(", ") || "-",
      g.ruleFrom.length ? String(g.ruleFrom.length) : "-",
    ]),
  };
}

export function planSummary(plan: Plan): string[] {
  const s = plan.targetApp.settings;
  const lines = [
    `Plan: ${plan.from.slug} -> ${plan.targetApp.slug} (${plan.counts.people} people, ${plan.counts.roleGroups} role groups in source ${plan.options.source}, ${plan.counts.staticMemberships} memberships, ${plan.counts.rules} membership rules)`,
    `Target app: group mapping on, App Filter ${String(s.appFilter)}, Group Filter ${plan.options.groupFilter}`,
    `  Role Value Pattern ${String(s.roleValuePattern)}; providers ${Object.entries(
      (s.samlProviderNames as Record<string, string>) ?? {},
    )
      .map(([a, n]) => `${a}=${n}`)
      .join(", ")}`,
  ];
  for (const r of plan.rules) lines.push(`Rule: members of ${r.fromGroupName} are members of ${r.toGroupName}`);
  for (const g of plan.staticGroups)
    lines.push(
      `Static copy: ${g.groupName} (${g.roleArns.map(roleWithPath).join(", ")}): future joiners will not gain these roles`,
    );
  for (const a of plan.aws) {
    const untrusted = a.roles.filter((r) => r.trusted === false).length;
    const unknown = a.roles.filter((r) => r.trusted === null).length;
    const provider = a.providerExists === null ? "unknown" : a.providerExists ? "exists" : "to create";
    lines.push(
      `AWS ${a.accountId} ${a.alias ?? ""}: provider ${a.providerName} ${provider}; trust to add on ${untrusted} role(s)${unknown ? `, ${unknown} unknown` : ""}`,
    );
  }
  return lines;
}

export function findingLines(plan: Plan): string[] {
  if (!plan.findings.length) return ["No findings."];
  return [
    `${plan.counts.blocking} blocking, ${plan.counts.warnings} warning(s):`,
    ...plan.findings.map(
      (f) => `  ${f.severity === "blocking" ? "BLOCKING" : "warning "} ${f.kind}  ${f.subject}: ${f.message}`,
    ),
  ];
}

export function proofLines(result: ProofResult, against: string): string[] {
  const lines = [
    `Proof against ${against}: ${result.identical} of ${result.people} people identical; ${result.differences.length} difference(s)`,
  ];
  for (const d of result.differences) {
    if (d.kind === "setting") {
      lines.push(`  setting ${d.setting}: legacy ${JSON.stringify(d.legacy)}, target ${JSON.stringify(d.target)}`);
      continue;
    }
    for (const p of d.lost) lines.push(`  ${d.login} loses ${p.roleArn} (${p.providerArn})`);
    for (const p of d.gained) lines.push(`  ${d.login} gains ${p.roleArn} (${p.providerArn})`);
    for (const c of d.providerChanged)
      lines.push(`  ${d.login} ${c.roleArn}: provider ${c.providerArn} instead of ${c.expectedProviderArn}`);
  }
  return lines;
}
