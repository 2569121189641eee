import { assignedRolesOf } from "../apps/assignment-profile.js";
import { appFilterAllows, parseAppFilter } from "../rolemap/app-filter.js";
import type { AwsPartition } from "../rolemap/arn.js";
import { compileGroupFilter } from "../rolemap/group-filter.js";
import { AWS_MAX_SAML_RESPONSE_BASE64 } from "../saml/response.js";
import { estimateResponseBase64Length, usersAtSizeRisk } from "../saml/size.js";
import { roleWithPath } from "./group-names.js";
import type { Grants } from "./legacy-grants.js";
import { accountOfArn, compareBy, type Inventory } from "./model.js";
import type { DirectoryState } from "./plan.js";
import type { Finding, Plan } from "./plan-model.js";
import { targetSettingsProblems } from "./target-app.js";

/**
 * Longest group name each kind of directory takes: rolebridge's own limit, and the 64 characters of an
 * LDAP/Active Directory `cn` (X.520's ub-common-name) for groups created there from the CSV export.
 */
export function nameLimitOf(source: string): number {
  return source === "active_directory" || source === "ldap" ? 64 : 255;
}

/** More than one Role AttributeValue's markup and separator take (about 70 characters). */
const ROLE_VALUE_OVERHEAD = 200;

const blocking = (kind: Finding["kind"], subject: string, message: string): Finding => ({
  kind,
  severity: "blocking",
  subject,
  message,
});
const warning = (kind: Finding["kind"], subject: string, message: string): Finding => ({
  kind,
  severity: "warning",
  subject,
  message,
});

/** Every problem of the plan, found before anything is written. Sorted: blocking first, then by kind. */
export function planFindings(inventory: Inventory, dir: DirectoryState, plan: Plan, grants: Grants): Finding[] {
  const out: Finding[] = [];
  const { source, groupFilter } = plan.options;
  const filter = compileGroupFilter(groupFilter);
  const limit = nameLimitOf(source);
  const byName = new Map<string, typeof dir.groups>();
  for (const g of dir.groups) byName.set(g.name.toLowerCase(), [...(byName.get(g.name.toLowerCase()) ?? []), g]);

  if (dir.target === "foreign")
    out.push(
      blocking("target-exists", plan.targetApp.slug, `an app ${plan.targetApp.slug} already exists; pick another --to`),
    );
  for (const problem of targetSettingsProblems(plan.targetApp.settings))
    out.push(blocking("target-settings-invalid", plan.targetApp.slug, problem));

  for (const g of plan.roleGroups) {
    for (const other of byName.get(g.name.toLowerCase()) ?? []) {
      if (dir.ownedGroupIds.has(other.id)) continue;
      if (other.source === source)
        out.push(blocking("name-collision", g.name, `source ${source} already has a group named ${other.name}`));
      else
        out.push(
          warning(
            "name-in-other-source",
            g.name,
            `a group of the same name exists in source ${other.source}; the App Filter (${source}) does not trust it`,
          ),
        );
    }
    if (g.name.length > limit)
      out.push(
        blocking("name-too-long", g.name, `${g.name.length} characters; a ${source} group name takes at most ${limit}`),
      );
    const match = filter.match(g.name);
    const role = roleWithPath(g.roleArn);
    if (!match || match.captures.role !== role || match.captures.accountid !== g.accountId)
      out.push(
        blocking(
          "uncapturable-role",
          g.roleArn,
          match
            ? `the Group Filter reads ${g.name} as role ${match.captures.role ?? "?"} in ${match.captures.accountid ?? "?"}`
            : `the Group Filter does not match ${g.name}`,
        ),
      );
  }

  const accounts = new Map(inventory.accounts.map((a) => [a.accountId, a]));
  const assigned = new Set(inventory.assignments.flatMap((a) => assignedRolesOf(a.profile).map((r) => r.roleArn)));
  for (const roleArn of [...assigned].sort()) {
    const account = accounts.get(accountOfArn(roleArn));
    if (!account) continue;
    const live = account.aws.status === "ok" ? account.aws.roles : null;
    const listed = live ?? (account.roleList.status === "ok" ? account.roleList.roles : null);
    if (listed && !listed.some((r) => r.arn === roleArn))
      out.push(
        // A warning: nobody can assume the role today either, and its group keeps the pairs exactly equal.
        warning(
          "role-missing-in-aws",
          roleArn,
          `${live ? "AWS no longer lists this role (deleted since the last refresh?)" : "the last refresh did not list this role"}; its group keeps the proof exact — restore the role, or delete the group after cut-over`,
        ),
      );
  }
  for (const a of inventory.accounts) {
    if (a.aws.status === "unreachable")
      out.push(
        warning("account-unreachable", a.accountId, `cannot read the account: ${a.aws.error ?? "unknown error"}`),
      );
  }

  const mapped = new Set(Object.keys(plan.providerMap));
  const login = new Map(inventory.people.map((p) => [p.id, p.login]));
  const unmapped = new Set<string>();
  for (const roles of grants.values())
    for (const r of roles) if (!mapped.has(r.providerArn)) unmapped.add(`${r.providerArn}\n${r.roleArn}`);
  for (const key of [...unmapped].sort()) {
    const [providerArn, roleArn] = key.split("\n") as [string, string];
    out.push(
      blocking(
        "provider-not-reproducible",
        roleArn,
        `granted with provider ${providerArn}, which is not the account's provider; the target names one provider per account`,
      ),
    );
  }

  // Building a Response per person is exact but costs ~0.1 ms; only people who could be near the limit pay it.
  const partition = plan.targetApp.settings.partition as AwsPartition;
  const base = estimateResponseBase64Length(1, { partition });
  const couldExceed = (roles: readonly { roleArn: string; providerArn: string }[]) =>
    roles.length > 0 &&
    base + (4 / 3) * roles.reduce((n, r) => n + r.roleArn.length + r.providerArn.length + ROLE_VALUE_OVERHEAD, 0) >=
      AWS_MAX_SAML_RESPONSE_BASE64;
  const sized = usersAtSizeRisk(
    [...grants].filter(([, roles]) => couldExceed(roles)).map(([userId, roles]) => ({ userId, roles })),
    { partition },
    1,
  );
  for (const r of sized)
    out.push(
      blocking(
        "response-too-large",
        login.get(r.userId) ?? r.userId,
        `${r.roleCount} roles make a ${r.base64Length}-character Response, over AWS's limit`,
      ),
    );

  for (const g of plan.staticGroups)
    out.push(
      warning(
        "static-copy",
        g.groupName,
        `copied as today's members: people who join ${g.groupName} later will not gain ${g.roleArns.map(roleWithPath).join(", ")}`,
      ),
    );

  const appFilter = parseAppFilter(source);
  const planned = new Set(plan.roleGroups.map((g) => g.name.toLowerCase()));
  for (const g of inventory.groups) {
    if (!appFilterAllows(appFilter, g.source) || planned.has(g.name.toLowerCase())) continue;
    if (filter.match(g.name))
      out.push(
        warning("existing-group-matches-filter", g.name, "an existing group the target would also map to a role"),
      );
  }

  return out.sort(compareBy((f) => `${f.severity === "blocking" ? 0 : 1}${f.kind}\n${f.subject}\n${f.message}`));
}
