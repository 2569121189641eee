import type { Repos } from "../../store/contract.js";
import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { resolveRoles } from "../rolemap/resolve.js";
import type {
  AssignedRole,
  AwsSignOnSettings,
  GroupAssignedRoles,
  GroupRef,
  ResolveRolesInput,
  ResolveRolesResult,
} from "../rolemap/types.js";
import { assignedRolesOf } from "./assignment-profile.js";
import {
  type AwsFederationSettings,
  signOnSettingsOf,
  validateAwsFederationSettings,
} from "./aws-federation-settings.js";
import type { App, AppAssignment } from "./model.js";

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
  assignments: Pick<Repos["assignments"], "forUser"> & Partial<Pick<Repos["assignments"], "withGroupsOfUser">>;
}

// Validation (defaults, schema, filter compilation) costs ~1 ms; the migration proof asks about thousands of
// people with one app object. Keyed by the settings object itself: a re-read or updated app is a new object.
// The sign-on settings object is kept too: resolveRoles compiles its filters once per settings object.
type Validated = { settings: AwsFederationSettings; signOn: AwsSignOnSettings };
const validated = new WeakMap<object, Validated>();
// A sign-in reads the app afresh (a new settings object) every time: kept per app too, under the settings' JSON.
// Validation is a pure function of that text, so an equal text is the same answer; a change made on any node
// is a different text in the row read by this request, so nothing stale is ever used (no TTL, no version trust).
const validatedByApp = new Map<string, { json: string; entry: Validated }>();
export function validatedSettings(app: App): Validated {
  const cached = validated.get(app.settings);
  if (cached) return cached;
  const json = JSON.stringify(app.settings);
  const byApp = validatedByApp.get(app.id);
  if (byApp?.json === json) {
    validated.set(app.settings, byApp.entry);
    return byApp.entry;
  }
  const settings = validateAwsFederationSettings(app.settings);
  const entry = { settings, signOn: signOnSettingsOf(settings) };
  validated.set(app.settings, entry);
  validatedByApp.set(app.id, { json, entry });
  return entry;
}

/** The rows that decide one person's roles on one app: their groups and the assignments reaching them. */
export interface EntitlementRows {
  groups: readonly GroupRef[];
  assignments: readonly AppAssignment[];
}

/**
 * Sources that hold the rows in memory (the migration's snapshot) also answer at once: the proof asks about
 * 20,000 people, and awaiting already-known rows four times a person costs more than deciding.
 */
export interface InMemoryEntitlementSources extends EntitlementSources {
  rowsOf(appId: string, userId: string): EntitlementRows;
}

const inMemory = (s: EntitlementSources): s is InMemoryEntitlementSources =>
  typeof (s as Partial<InMemoryEntitlementSources>).rowsOf === "function";

function assertAwsApp(app: App): void {
  if (app.type !== "aws-account-federation") {
    throw new DomainError("conflict", `app ${app.slug} signs into no AWS role (it is ${app.type})`, { type: app.type });
  }
}

async function readRows(repos: EntitlementSources, app: App, user: User): Promise<EntitlementRows> {
  if (inMemory(repos)) return repos.rowsOf(app.id, user.id);
  // The store reads both in one statement; sources that only have the two separate reads use those.
  const { groups, assignments } = repos.assignments.withGroupsOfUser
    ? await repos.assignments.withGroupsOfUser(app.id, user.id)
    : await (async () => {
        const groups = await repos.memberships.groupsOfUser(user.id);
        const ids = groups.map((g) => g.id);
        return { groups, assignments: await repos.assignments.forUser(app.id, user.id, ids) };
      })();
  // Only the fields resolution reads: the directory's rows carry more, and explain's output shows these.
  return { groups: groups.map((g) => ({ id: g.id, name: g.name, source: g.source })), assignments };
}

/** What `resolveRoles` is asked, given the rows read, and whether anything assigns the person. */
export function inputFromRows(app: App, rows: EntitlementRows): { input: ResolveRolesInput; assigned: boolean } {
  assertAwsApp(app);
  const { signOn } = validatedSettings(app);
  // One pass over what is read: this runs per sign-in, and per person in the migration's proof.
  const userRoles: AssignedRole[] = [];
  const groupRoles: GroupAssignedRoles[] = [];
  let userAssigned = false;
  for (const a of rows.assignments) {
    if (a.principalType === "user") {
      userAssigned = true;
      userRoles.push(...assignedRolesOf(a.profile));
    } else groupRoles.push({ groupId: a.principalId, roles: assignedRolesOf(a.profile), priority: a.priority });
  }
  const input: ResolveRolesInput = { settings: signOn, groups: rows.groups, userRoles, userAssigned, groupRoles };
  return { input, assigned: rows.assignments.length > 0 };
}

/** What `resolveRoles` is asked for one user on one app, read from the store, and whether anything assigns them. */
export async function entitlementInput(
  repos: EntitlementSources,
  app: App,
  user: User,
): Promise<{ input: ResolveRolesInput; assigned: boolean }> {
  assertAwsApp(app);
  return inputFromRows(app, await readRows(repos, app, user));
}

/** The deciding half of `appEntitlements`: the rows already read, through `resolveRoles`. */
export function entitlementsFromRows(app: App, user: User, rows: EntitlementRows): AppEntitlements {
  const { input, assigned } = inputFromRows(app, rows);
  const blockedBecause = app.status !== "ACTIVE" ? "app_inactive" : user.status !== "ACTIVE" ? "user_not_active" : null;
  // resolveRoles returns a fresh object: completed in place rather than copied, once per sign-in and per person proved.
  const result = resolveRoles(input) as AppEntitlements;
  result.assigned = assigned;
  result.blockedBecause = blockedBecause;
  if (!assigned || blockedBecause) result.roles = [];
  return result;
}

/**
 * The store-facing side of role resolution: gathers the user's groups and the assignments that reach
 * them, then asks `resolveRoles` — the one function that decides. Sign-in, explain and the migration's
 * equivalence proof all come through here (the proof over in-memory rows through `appEntitlementsNow`).
 */
export async function appEntitlements(repos: EntitlementSources, app: App, user: User): Promise<AppEntitlements> {
  assertAwsApp(app);
  return entitlementsFromRows(app, user, await readRows(repos, app, user));
}

/** `appEntitlements` without a promise when the rows are in memory; a promise when they must be read. */
export function appEntitlementsNow(
  repos: EntitlementSources,
  app: App,
  user: User,
): AppEntitlements | Promise<AppEntitlements> {
  if (inMemory(repos)) return entitlementsFromRows(app, user, repos.rowsOf(app.id, user.id));
  return appEntitlements(repos, app, user);
}
