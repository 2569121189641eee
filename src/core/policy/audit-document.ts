import { closest } from "fastest-levenshtein";
import { actionGlob, checkAction, isWriteAction, repairMalformed } from "./catalogue.js";
import { assumedAccounts, crossAccountRoleArnIn, type IntegrationContext } from "./context.js";
import { listOf, type ParsedPolicy, type PolicyStatement } from "./document.js";
import type { Finding } from "./findings.js";
import { keysCalls } from "./least-privilege.js";

const ROLE_ARN = /^arn:([^:]+):iam::([^:]*):role\/(.+)$/;

/** The statement's actions as IAM reads them, each with what the catalogue says and a corrected form if any. */
async function readActions(policy: ParsedPolicy, s: PolicyStatement, field: "Action" | "NotAction") {
  const raw = s.body[field];
  const values = listOf(raw);
  return Promise.all(
    values.map(async (value, i) => {
      const path = Array.isArray(raw) ? `${s.path}.${field}[${i}]` : `${s.path}.${field}`;
      const malformed = policy.malformedActions.some((m) => m.path === path);
      if (malformed) return { value, path, malformed, check: undefined, corrected: await repairMalformed(value) };
      const check = await checkAction(value);
      const corrected = check.kind === "ok" ? value : "suggestion" in check ? check.suggestion : undefined;
      return { value, path, malformed, check, corrected };
    }),
  );
}

function at(policy: ParsedPolicy, s: PolicyStatement | undefined, path: string): Partial<Finding> {
  return { policy: policy.name, ...(s ? { statement: s.index } : {}), path, ...policy.locate(path) };
}

/** Every defect of one identity policy document, given what the integration needs and which roles exist. */
export async function auditDocument(policy: ParsedPolicy, ctx: IntegrationContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const push = (f: Omit<Finding, "policy">, s: PolicyStatement | undefined, path: string) =>
    findings.push({ ...f, ...at(policy, s, path) } as Finding);
  const version = policy.document.Version;
  if (version === undefined) {
    push(
      {
        severity: "medium",
        code: "missing_version",
        message:
          'no "Version": IAM reads the policy as version 2008-10-17, in which policy variables (aws:username and the like) are plain text',
        suggestion: '"Version": "2012-10-17"',
      },
      undefined,
      "",
    );
  } else if (version === "2008-10-17") {
    push(
      {
        severity: "low",
        code: "old_version",
        message: 'Version "2008-10-17" predates policy variables',
        suggestion: '"Version": "2012-10-17"',
      },
      undefined,
      "Version",
    );
  }
  const needed = new Set(keysCalls().map((c) => c.action.toLowerCase()));
  const leastRoles = assumedAccounts(ctx).map((id) => crossAccountRoleArnIn(ctx, id));
  for (const s of policy.statements) {
    if (s.body.Effect !== "Allow") continue;
    if (s.body.NotAction !== undefined) {
      push(
        {
          severity: "high",
          code: "not_action_allow",
          message: "Allow with NotAction grants every action not listed, including future AWS actions",
        },
        s,
        `${s.path}.NotAction`,
      );
    }
    if (s.body.NotResource !== undefined) {
      push(
        {
          severity: "high",
          code: "not_resource_allow",
          message: "Allow with NotResource grants the actions on every resource not listed",
        },
        s,
        `${s.path}.NotResource`,
      );
    }
    const actions = await readActions(policy, s, "Action");
    for (const a of actions) {
      if (a.malformed) {
        push(
          {
            severity: "high",
            code: "action_malformed",
            message: `"${a.value}" is not an IAM action (service:Action); IAM refuses the whole document with MalformedPolicyDocument${a.corrected ? `. Did you mean ${a.corrected}?` : ""}`,
            ...(a.corrected ? { suggestion: a.corrected } : {}),
          },
          s,
          a.path,
        );
        continue;
      }
      const check = a.check!;
      if (check.kind === "unknown_service" || check.kind === "unknown_action") {
        push(
          {
            severity: "high",
            code: "unknown_action",
            message: `${a.value} does not exist in IAM's action catalogue${check.kind === "unknown_service" ? ` (no service "${check.service}")` : ""}, so it grants nothing${a.corrected ? `. Did you mean ${a.corrected}?` : ""}`,
            ...(a.corrected ? { suggestion: a.corrected } : {}),
          },
          s,
          a.path,
        );
        continue;
      }
      if (check.kind === "matches_nothing") {
        push(
          { severity: "medium", code: "action_matches_nothing", message: `${a.value} matches no IAM action` },
          s,
          a.path,
        );
        continue;
      }
      const writes: string[] = [];
      for (const m of check.matches) if (m !== "*" && m.startsWith("iam:") && (await isWriteAction(m))) writes.push(m);
      if (a.value === "*") {
        push(
          { severity: "high", code: "action_wildcard", message: 'Action "*" grants every action of every AWS service' },
          s,
          a.path,
        );
      } else if (writes.length) {
        push(
          {
            severity: "high",
            code: "iam_write",
            message: `${a.value} grants IAM write access (${writes.slice(0, 3).join(", ")}${writes.length > 3 ? `, … ${writes.length} in all` : ""}): whoever holds the keys can grant themselves anything; the integration only reads`,
          },
          s,
          a.path,
        );
      } else if (check.matches.length > 1) {
        push(
          {
            severity: "medium",
            code: "action_wildcard",
            message: `${a.value} grants ${check.matches.length} actions; the integration needs only ${[...needed].join(", ")}`,
          },
          s,
          a.path,
        );
      } else if (!needed.has(a.value.toLowerCase())) {
        push(
          { severity: "low", code: "unneeded_action", message: `the integration never calls ${a.value}` },
          s,
          a.path,
        );
      }
    }
    const coversAssume =
      s.body.NotAction !== undefined
        ? !listOf(s.body.NotAction).some((p) => actionGlob(p).test("sts:AssumeRole"))
        : actions.some((a) => a.corrected !== undefined && actionGlob(a.corrected).test("sts:AssumeRole"));
    const resourceField = s.body.Resource !== undefined ? "Resource" : "NotResource";
    const resources = listOf(s.body[resourceField]);
    resources.forEach((resource, i) => {
      const path = Array.isArray(s.body[resourceField])
        ? `${s.path}.${resourceField}[${i}]`
        : `${s.path}.${resourceField}`;
      const fixedLater = actions.some((a) => a.malformed || a.check?.kind !== "ok")
        ? " (once its action is corrected)"
        : "";
      if (coversAssume && resourceField === "Resource" && /[*?]/.test(resource)) {
        const anyAccount = ROLE_ARN.exec(resource)?.[2];
        push(
          {
            severity: "high",
            code: "assume_role_wildcard",
            message:
              resource === "*" || !ROLE_ARN.test(resource)
                ? `sts:AssumeRole on "${resource}"${fixedLater}: anyone holding these keys can assume any role, in any account, whose trust policy admits account ${ctx.sourceAccountId}`
                : `sts:AssumeRole on ${resource}${fixedLater}: ${anyAccount !== undefined && /[*?]/.test(anyAccount) ? "the account is a wildcard, so the keys may assume a role of that name in any AWS account that trusts them, not only the connected ones" : "the role name is a wildcard, so the keys may assume other roles than the cross-account role"}`,
            suggestion: JSON.stringify(leastRoles),
          },
          s,
          path,
        );
      }
      const role = ROLE_ARN.exec(resource);
      if (!role || /[*?]/.test(role[3]!)) return;
      const [, , account = "", nameWithPath = ""] = role;
      const accounts = /[*?]/.test(account) ? ctx.accounts : ctx.accounts.filter((a) => a.accountId === account);
      if (!accounts.length) {
        push(
          {
            severity: "medium",
            code: "role_outside_connected_accounts",
            message: `${resource} is in account ${account}, which is not a connected account`,
          },
          s,
          path,
        );
        return;
      }
      const known = accounts.flatMap((a) => a.roles.map((r) => r.arn.slice(r.arn.indexOf(":role/") + 6)));
      if (known.includes(nameWithPath) || accounts.some((a) => !a.reachable)) return;
      const sameIgnoringCase = known.find((k) => k.toLowerCase() === nameWithPath.toLowerCase());
      const nearest = sameIgnoringCase ?? (known.length ? closest(nameWithPath, known) : undefined);
      const suggestion = nearest ? resource.replace(/:role\/.+$/, `:role/${nearest}`) : undefined;
      push(
        {
          severity: "high",
          code: sameIgnoringCase ? "role_name_case" : "unknown_role",
          message: sameIgnoringCase
            ? `${resource} differs from the role ${sameIgnoringCase} only in case; IAM compares resource ARNs case-sensitively, so this grants nothing`
            : `no connected account has a role ${nameWithPath}${/[*?]/.test(account) ? "" : ` in account ${account}`}${nearest ? `; the closest existing name is ${nearest}` : ""}`,
          ...(suggestion ? { suggestion } : {}),
        },
        s,
        path,
      );
    });
  }
  return findings;
}

/** IAM's size quotas, counted as IAM counts them: characters other than whitespace. */
export const SIZE_QUOTAS = { userInline: 2048, roleInline: 10240, managed: 6144 } as const;

export function sizeFinding(name: string, texts: string[], limit: number, what: string): Finding | undefined {
  const size = texts.reduce((n, t) => n + t.replace(/\s/g, "").length, 0);
  if (size > limit)
    return {
      severity: "high",
      code: "over_size_quota",
      policy: name,
      message: `${what} is ${size} characters; IAM's quota is ${limit}`,
    };
  if (size >= limit * 0.9)
    return {
      severity: "low",
      code: "near_size_quota",
      policy: name,
      message: `${what} is ${size} of IAM's ${limit} characters: one more statement may not fit`,
    };
  return undefined;
}

/** The document with what IAM or the simulator cannot read (malformed or unknown actions) left out. */
export async function simulatable(policy: ParsedPolicy): Promise<unknown> {
  const statements = [];
  for (const s of policy.statements) {
    const body = { ...s.body };
    for (const field of ["Action", "NotAction"] as const) {
      if (body[field] === undefined) continue;
      const kept = (await readActions(policy, s, field)).filter((a) => a.check?.kind === "ok").map((a) => a.value);
      body[field] = kept;
      if (!kept.length && field === "Action") body.Action = undefined;
    }
    if (body.Action === undefined && body.NotAction === undefined) continue;
    statements.push(body);
  }
  return { Version: policy.document.Version ?? "2012-10-17", Statement: statements };
}
