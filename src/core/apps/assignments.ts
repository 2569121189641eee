import type { Repos, Store } from "../../store/contract.js";
import { resolveGroupRef } from "../directory/group-ref.js";
import { notFound, validationFailed } from "../errors.js";
import { validateAwsAssignmentProfile } from "./assignment-profile.js";
import { validateAwsFederationSettings } from "./aws-federation-settings.js";
import type { App, PrincipalType } from "./model.js";

/** A membership of the person's that a membership rule holds: in `groupName` because they are in `fromGroupName`. */
export interface RuleHeldMembership {
  groupId: string;
  groupName: string;
  ruleId: string;
  fromGroupId: string;
  fromGroupName: string;
}

/** The person's memberships that membership rules hold, with both groups' names (explain shows them). */
export async function ruleHeldMemberships(store: Store, userId: string): Promise<RuleHeldMembership[]> {
  const held: RuleHeldMembership[] = [];
  for (const rule of await store.membershipRules.heldForUser(userId)) {
    const [to, from] = await Promise.all([store.groups.get(rule.toGroupId), store.groups.get(rule.fromGroupId)]);
    held.push({
      groupId: rule.toGroupId,
      groupName: to?.name ?? rule.toGroupId,
      ruleId: rule.id,
      fromGroupId: rule.fromGroupId,
      fromGroupName: from?.name ?? rule.fromGroupId,
    });
  }
  return held;
}

/** AWS federation assignments carry SAML User Roles; provisioning assignments carry nothing yet. */
export async function assignmentProfileFor(store: Store, app: App, profile: unknown): Promise<Record<string, unknown>> {
  if (app.type !== "aws-account-federation") {
    if (profile !== undefined && (typeof profile !== "object" || profile === null || Object.keys(profile).length > 0)) {
      throw validationFailed("the assignment profile is invalid", [
        { path: "/profile", message: `${app.type} assignments take no profile` },
      ]);
    }
    return {};
  }
  const settings = validateAwsFederationSettings(app.settings);
  const valid = validateAwsAssignmentProfile(profile, settings.partition);
  if (settings.api.enabled) await assertListedInAws(store, app, valid.samlRoles);
  return valid;
}

/** In legacy API mode roles are picked from the lists AWS gave at the last refresh, as Okta's picker offers. */
async function assertListedInAws(store: Store, app: App, roles: readonly { roleArn: string }[]): Promise<void> {
  if (roles.length === 0) return;
  const lists = new Map((await store.roleCatalog.listForApp(app.id)).map((l) => [l.accountId, l]));
  const errors = roles.flatMap((r, i) => {
    const account = r.roleArn.split(":")[4] ?? "";
    const list = lists.get(account);
    const path = `/profile/samlRoles/${i}/roleArn`;
    if (!list)
      return [{ path, message: `account ${account} has no role list; connect it and refresh application data` }];
    if (list.status === "ok" && !list.roles.some((known) => known.arn === r.roleArn)) {
      return [{ path, message: `AWS did not list this role in account ${account} at the last refresh` }];
    }
    return [];
  });
  if (errors.length) throw validationFailed("the assignment names roles AWS did not list", errors);
}

export async function principalIdOf(store: Store, type: PrincipalType, ref: string): Promise<string> {
  if (type === "user") {
    const u = (await store.users.get(ref)) ?? (await store.users.getByLogin(ref));
    if (!u) throw notFound("user", ref);
    return u.id;
  }
  return (await resolveGroupRef(store, ref)).id;
}

/**
 * Keeps the app's group-assignment priorities dense (0..n-1): `groupId` (when given) moves to `priority`, or
 * last when none is given; the others keep their order.
 */
export async function placeGroupAssignment(
  tx: Repos,
  appId: string,
  groupId: string | null,
  priority: number | undefined,
): Promise<void> {
  const ordered = (await tx.assignments.listForApp(appId))
    .filter((a) => a.principalType === "group" && a.principalId !== groupId)
    .sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER))
    .map((a) => a.principalId);
  if (groupId !== null) {
    if (priority !== undefined && priority > ordered.length) {
      throw validationFailed("the assignment is invalid", [
        {
          path: "/priority",
          message: `the app has ${ordered.length + 1} group assignment(s): priority must be from 0 to ${ordered.length}`,
        },
      ]);
    }
    ordered.splice(priority ?? ordered.length, 0, groupId);
  }
  await tx.assignments.renumberGroupPriorities(appId, ordered);
}
