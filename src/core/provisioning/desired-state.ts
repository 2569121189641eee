import type { Store } from "../../store/contract.js";
import type { ProvisionedObject } from "../../store/contract-outbox.js";
import { allPages } from "../../store/pages.js";
import type { App } from "../apps/model.js";
import type { ScimAppSettings } from "../apps/scim-app-settings.js";
import type { User } from "../directory/model.js";
import {
  type DesiredGroup,
  type DesiredUser,
  desiredGroupFromDirectory,
  desiredUserFromDirectory,
} from "../scim/model.js";
import type { DesiredState } from "../scim/plan.js";
import { type TargetProfile, validateUserForProfile } from "../scim/profiles.js";

async function allMembers(store: Store, groupId: string): Promise<User[]> {
  const out: User[] = [];
  for await (const u of allPages((after) => store.memberships.membersOfGroup(groupId, { limit: 1000, after })))
    out.push(u);
  return out;
}

/**
 * What the target should hold for this app: every person assigned directly or through an assigned group
 * (inactive ones as `active: false`), and every pushed group with those of its members who are provisioned.
 * As in Okta, pushing a group does not provision its members: assignment decides who exists on the target,
 * and unassigning someone deactivates them there.
 */
export async function desiredState(
  store: Store,
  app: App,
  settings: ScimAppSettings,
  profile: TargetProfile,
  /** The app's provisioning records, as the caller already read them. */
  records: readonly ProvisionedObject[],
): Promise<DesiredState> {
  const users = new Map<string, DesiredUser>();
  for (const a of await store.assignments.listForApp(app.id)) {
    if (a.principalType === "user") {
      const u = await store.users.get(a.principalId);
      if (u) users.set(u.id, desiredUserFromDirectory(u));
    } else {
      for (const u of await allMembers(store, a.principalId)) users.set(u.id, desiredUserFromDirectory(u));
    }
  }
  // People provisioned before but no longer assigned stay on the target as deactivated (never deleted) — and
  // in their pushed groups, also once the deactivation is recorded: else a later sync would take them out.
  const known = settings.features.deactivateUsers ? records.filter((r) => r.kind === "user") : [];
  for (const p of known) {
    if (users.has(p.objectId) || !p.remoteId) continue;
    const u = await store.users.get(p.objectId);
    if (u) users.set(u.id, { ...desiredUserFromDirectory(u), active: false });
  }
  const groups: DesiredGroup[] = [];
  for (const groupId of settings.pushGroups) {
    const group = await store.groups.get(groupId);
    if (!group) continue;
    // A person the target would refuse (e.g. no surname for AWS) gets their own error and is left out of
    // groups, so every sync does not retry a membership that cannot exist.
    const members = (await allMembers(store, groupId))
      .map((u) => users.get(u.id))
      .filter((u): u is DesiredUser => u !== undefined && validateUserForProfile(profile, u).length === 0)
      .map((u) => u.externalId);
    groups.push(desiredGroupFromDirectory(group, members));
  }
  return { users: [...users.values()].sort((a, b) => (a.externalId < b.externalId ? -1 : 1)), groups };
}
