import type { Repos } from "../../store/contract.js";
import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { resolveRoles } from "../rolemap/resolve.js";
import type { ResolveRolesInput, ResolveRolesResult } from "../rolemap/types.js";
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
const validated = new WeakMap<object, AwsFederationSettings>();
function validatedSettings(app: App): AwsFederationSettings {
  const cached = validated.get(app.settings);
  if (cached) return cached;
  const settings = validateAwsFederationSettings(app.settings);
  validated.set(app.settings, settings);
  return settings;
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
  const settings = validatedSettings(app);
  const groups = await repos.memberships.groupsOfUser(user.id);
  const assignments = await repos.assignments.forUser(
    app.id,
    user.id,
    groups.map((g) => g.id),
  );
  const own = assignments.filter((a) => a.principalType === "user");
  const input: ResolveRolesInput = {
    settings: signOnSettingsOf(settings),
    groups: groups.map((g) => ({ id: g.id, name: g.name, source: g.source })),
    userRoles: own.flatMap((a) => assignedRolesOf(a.profile)),
    userAssigned: own.length > 0,
    groupRoles: assignments
      .filter((a) => a.principalType === "group")
      .map((a) => ({ groupId: a.principalId, roles: assignedRolesOf(a.profile), priority: a.priority })),
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
