import type { Repos } from "../../store/contract.js";
import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { resolveRoles } from "../rolemap/resolve.js";
import type {
  AssignedRole,
  AwsSignOnSettings,
  GroupAssignedRoles,
  ResolveRolesInput,
  ResolveRolesResult,
} from "../rolemap/types.js";
import { assignedRolesOf } from "./assignment-profile.js";
import {
  type AwsFederationSettings,
  signOnSettingsOf,
  validateAwsFederationSettings,
} from "./aws-federation-settings.js";
import type { App } from "./model.js";

export interface AppEntitlements extends ResolveRolesResult {
  /** False when neither the user nor any of their groups is assigned to the app: no roles at all. */
  assigned: boolean;
  /** Why the app grants nothing before any role is looked at (inactive app, user not active). */
  blockedBecause: "app_inactive" | "user_not_active" | null;
}

/**
 * Where appEntitlements reads a user's groups and the assignments reaching them: the store, or (for the
 * migration's proof before anything is written) an in-memory snapshot of the same rows.
 */
export interface EntitlementSources {
  memberships: Pick<Repos["memberships"], "groupsOfUser">;
  assignments: Pick<Repos["assignments"], "forUser">;
}

// Validation (defaults, schema, filter compilation) costs ~1 ms; the migration proof asks about thousands of
// people with one app object. Keyed by the settings object itself: a re-read or updated app is a new object.
// The sign-on settings object is kept too: resolveRoles compiles its filters once per settings object.
const validated = new WeakMap<object, { settings: AwsFederationSettings; signOn: AwsSignOnSettings }>();
function validatedSettings(app: App): { settings: AwsFederationSettings; signOn: AwsSignOnSettings } {
  const cached = validated.get(app.settings);
  if (cached) return cached;
  const settings = validateAwsFederationSettings(app.settings);
  const entry = { settings, signOn: signOnSettingsOf(settings) };
  validated.set(app.settings, entry);
  return entry;
}

/** What `resolveRoles` is asked for one user on one app, read from the store, and whether anything assigns them. */
export async function entitlementInput(
  repos: EntitlementSources,
  app: App,
  user: User,
): Promise<{ input: ResolveRolesInput; assigned: boolean }> {
  if (app.type !== "aws-account-federation") {
    throw new DomainError("conflict", `app ${app.slug} signs into no AWS role (it is ${app.type})`, { type: app.type });
  }
  const { signOn } = validatedSettings(app);
  const groups = await repos.memberships.groupsOfUser(user.id);
  const assignments = await repos.assignments.forUser(
    app.id,
    user.id,
    groups.map((g) => g.id),
  );
  // One pass over what is read: this runs per sign-in, and per person in the migration's proof.
  const userRoles: AssignedRole[] = [];
  const groupRoles: GroupAssignedRoles[] = [];
  let userAssigned = false;
  for (const a of assignments) {
    if (a.principalType === "user") {
      userAssigned = true;
      userRoles.push(...assignedRolesOf(a.profile));
    } else groupRoles.push({ groupId: a.principalId, roles: assignedRolesOf(a.profile), priority: a.priority });
  }
  const input: ResolveRolesInput = {
    settings: signOn,
    groups: groups.map((g) => ({ id: g.id, name: g.name, source: g.source })),
    userRoles,
    userAssigned,
    groupRoles,
  };
  return { input, assigned: assignments.length > 0 };
}

/**
 * The store-facing side of role resolution: gathers the user's groups and the assignments that reach
 * them, then asks `resolveRoles` — the one function that decides. Sign-in, explain and the migration's
 * equivalence proof all come through here.
 */
export async function appEntitlements(repos: EntitlementSources, app: App, user: User): Promise<AppEntitlements> {
  const { input, assigned } = await entitlementInput(repos, app, user);
  const blockedBecause = app.status !== "ACTIVE" ? "app_inactive" : user.status !== "ACTIVE" ? "user_not_active" : null;
  const result = resolveRoles(input);
  if (!assigned || blockedBecause) return { ...result, roles: [], assigned, blockedBecause };
  return { ...result, assigned, blockedBecause };
}
