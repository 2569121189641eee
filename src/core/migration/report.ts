/**
 * `migrate report`: one document, rendered as Markdown and as a single self-contained HTML page (inline style,
 * no script, no external resource): before/after counts, per-account status, per-person differences, the
 * trust-policy changes, and what is left to do by hand.
 */
import type { MigrationRunState } from "../../store/contract-migrations.js";
import type { AwsPartition } from "../rolemap/arn.js";
import { partitionInfo } from "../saml/partitions.js";
import { roleWithPath } from "./group-names.js";
import type { Inventory } from "./model.js";
import type { Plan } from "./plan-model.js";
import type { ProofResult } from "./proof.js";
import { proofLines } from "./text.js";

type Block = { p: string } | { list: string[] } | { table: { header: string[]; rows: string[][] } } | { code: string };
interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportInput {
  inventory: Inventory;
  plan: Plan;
  proof: { against: "plan" | "live"; result: ProofResult };
  state: MigrationRunState | "not applied";
  /** Whether AWS steps (SAML providers, trust policies) run with apply in this build. */
  awsStepsWired: boolean;
  /** The legacy API user's policy fixes (`migrate policy fix`), newest first: their diffs join the report. */
  policyFixes?: Array<{ principalArn: string; status: string; createdAt: string; diff: string }>;
}

/** The statement a role's trust policy gains: the target's provider, for AWS sign-in's ACS only. */
export function trustStatement(providerArn: string, acs: string) {
  return {
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithSAML",
    Condition: { StringEquals: { "SAML:aud": acs } },
  };
}

function sections(r: ReportInput): Section[] {
  const { inventory: inv, plan } = r;
  const users = inv.assignments.filter((a) => a.principalType === "user").length;
  const settings = plan.targetApp.settings as { partition: AwsPartition; acsUrl?: string | null };
  const acs = settings.acsUrl ?? partitionInfo(settings.partition).acsUrl;
  const untrusted = plan.aws.flatMap((a) =>
    a.roles.filter((x) => x.trusted === false).map((x) => ({ a, roleArn: x.roleArn })),
  );
  const byHand: string[] = [];
  // SAML in every account: apply sets providers and trust up, and cut-over switches a kept legacy provider; only a
  // build without the AWS steps leaves it by hand (docs/migration-saml-setup.md).
  for (const a of r.awsStepsWired ? [] : plan.aws) {
    const roles = a.roles
      .filter((x) => x.trusted !== null || a.providerExists === null)
      .map((x) => `--role ${x.roleArn}`);
    const command = `rolebridge migrate saml apply --app ${plan.targetApp.slug} ${roles.join(" ")} --dry-run, then without --dry-run`;
    byHand.push(
      `${a.providerExists === true ? "Update" : "Create"} the SAML provider ${a.providerName} in ${a.accountId} with the target app's metadata, and its roles' trust: ${command}.`,
    );
  }
  for (const f of plan.findings.filter((x) => x.kind === "role-missing-in-aws"))
    byHand.push(`Role ${f.subject} is gone from AWS: restore it, or delete its role group after cut-over.`);
  for (const f of plan.findings.filter((x) => x.kind === "account-unreachable"))
    byHand.push(`Account ${f.subject} could not be read: check the cross-account role, or disconnect the account.`);
  for (const g of plan.staticGroups)
    byHand.push(
      `Group ${g.groupName} was copied statically: add its future members to ${g.roleArns.map(roleWithPath).join(", ")} by hand.`,
    );
  if (r.state !== "cut_over")
    byHand.push(`Cut over: rolebridge migrate cutover --from ${inv.app.slug} --to ${plan.targetApp.slug} --yes`);

  return [
    {
      title: "Summary",
      blocks: [
        { p: `${inv.app.slug} (legacy API mode) → ${plan.targetApp.slug} (group mapping). State: ${r.state}.` },
        {
          table: {
            header: ["", "Before (legacy)", "After (target)"],
            rows: [
              ["People reached", String(inv.people.length), String(r.proof.result.people)],
              [
                "Assignments",
                `${users} person, ${inv.assignments.length - users} group`,
                `${plan.targetAssignments.length} role group(s)`,
              ],
              ["Role groups", "-", String(plan.counts.roleGroups)],
              ["Memberships added", "-", `${plan.counts.staticMemberships} static, ${plan.counts.rules} rule(s)`],
              ["Accounts", String(inv.accounts.length), String(plan.aws.length)],
            ],
          },
        },
      ],
    },
    {
      title: `Proof (against ${r.proof.against === "live" ? "live state" : "the plan"})`,
      blocks: [{ list: proofLines(r.proof.result, r.proof.against) }],
    },
    {
      title: "Accounts",
      blocks: [
        {
          table: {
            header: ["Account", "Alias", "AWS", "Provider", "Roles mapped", "Trust to add"],
            rows: inv.accounts.map((a) => {
              const change = plan.aws.find((x) => x.accountId === a.accountId);
              return [
                a.accountId,
                a.alias ?? "-",
                a.aws.status === "unreachable" ? `unreachable: ${a.aws.error ?? ""}` : a.aws.status,
                change
                  ? `${change.providerName} (${change.providerExists === null ? "unknown" : change.providerExists ? "exists" : "to create"})`
                  : "-",
                String(change?.roles.length ?? 0),
                String(change?.roles.filter((x) => x.trusted === false).length ?? 0),
              ];
            }),
          },
        },
      ],
    },
    {
      title: "Trust-policy changes",
      blocks: untrusted.length
        ? untrusted.map(({ a, roleArn }) => ({
            code: `${roleArn}: add\n${JSON.stringify(trustStatement(a.providerArn, acs), null, 2)}`,
          }))
        : [{ p: "None: every mapped role already trusts its account's provider (or AWS could not be read)." }],
    },
    {
      title: "Findings",
      blocks: plan.findings.length
        ? [
            {
              list: plan.findings.map(
                (f) => `${f.severity === "blocking" ? "BLOCKING" : "warning"} ${f.kind} — ${f.subject}: ${f.message}`,
              ),
            },
          ]
        : [{ p: "None." }],
    },
    {
      title: "IAM policy of the legacy API user",
      blocks: r.policyFixes?.length
        ? r.policyFixes.flatMap((f) => [
            { p: `${f.principalArn}: fix of ${f.createdAt}, ${f.status.replace("_", " ")}.` },
            { code: f.diff },
          ])
        : [
            {
              p: `Not narrowed yet: audit it with rolebridge migrate policy audit --app ${inv.app.slug}, then fix it (docs/policy-audit.md).`,
            },
          ],
    },
    { title: "Left to do by hand", blocks: [{ list: byHand.length ? byHand : ["Nothing."] }] },
  ];
}

export function reportMarkdown(r: ReportInput): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const out = [`# Migration report: ${r.inventory.app.slug} → ${r.plan.targetApp.slug}`, ""];
  for (const s of sections(r)) {
    out.push(`## ${s.title}`, "");
    for (const b of s.blocks) {
      if ("p" in b) out.push(b.p, "");
      else if ("list" in b) out.push(...b.list.map((l) => `- ${l}`), "");
      else if ("code" in b) out.push("```", b.code, "```", "");
      else {
        out.push(`| ${b.table.header.map(cell).join(" | ")} |`, `|${b.table.header.map(() => "---").join("|")}|`);
        out.push(...b.table.rows.map((row) => `| ${row.map(cell).join(" | ")} |`), "");
      }
    }
  }
  return out.join("\n");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function reportHtml(r: ReportInput): string {
  const body = sections(r)
    .map((s) => {
      const blocks = s.blocks.map((b) => {
        if ("p" in b) return `<p>${esc(b.p)}</p>`;
        if ("list" in b) return `<ul>${b.list.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`;
        if ("code" in b) return `<pre>${esc(b.code)}</pre>`;
        const head = `<tr>${b.table.header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`;
        const rows = b.table.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("");
        return `<table>${head}${rows}</table>`;
      });
      return `<section><h2>${esc(s.title)}</h2>${blocks.join("")}</section>`;
    })
    .join("");
  const title = `Migration report: ${r.inventory.app.slug} → ${r.plan.targetApp.slug}`;
  const style =
    "body{font:14px/1.5 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}" +
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}" +
    "th{background:#f2f4f8}pre{background:#f6f8fa;padding:.5rem;overflow:auto}h2{border-bottom:1px solid #dde;margin-top:2rem}";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${style}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>\n`;
}
