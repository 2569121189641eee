import type { NewUser, UserChange } from "../../store/contract.js";
import type { LinkedPerson, SourceEntry } from "../../store/contract-sources.js";
import type { UserProfile, UserStatus } from "../directory/model.js";
import { profileErrors } from "../directory/validate.js";
import { newId } from "../ids.js";
import type { PersonRecord } from "./ldap-read.js";
import { type SyncContext, skip } from "./sync-context.js";

export interface PeoplePlan {
  creates: NewUser[];
  updates: { id: string; before: UserStatus; change: UserChange }[];
  entries: SourceEntry[];
  /** Active people this sync would make inactive (disabled in the directory, or out of scope). */
  deactivations: number;
  /** Active linked people before the sync: what the safety share is taken of. */
  activeBefore: number;
}

const keyOf = (login: string) => login.toLowerCase();
const sameProfile = (a: UserProfile, b: UserProfile) =>
  a.login === b.login &&
  a.email === b.email &&
  a.firstName === b.firstName &&
  a.lastName === b.lastName &&
  a.displayName === b.displayName;

/**
 * Decides, without writing, what becomes of each person read: created (unless their login belongs to someone
 * not from this source), updated, disabled (SUSPENDED) or re-enabled; and, after a complete read, who left the
 * scope (DEPROVISIONED, never deleted).
 */
export async function planPeople(ctx: SyncContext): Promise<PeoplePlan> {
  const { tx, source, read } = ctx;
  const linked = await tx.directorySources.linkedPeople(
    source.id,
    ctx.peopleComplete ? undefined : read.people.map((p) => p.externalId),
  );
  const byExternalId = new Map(linked.map((p) => [p.externalId, p]));
  const plan: PeoplePlan = {
    creates: [],
    updates: [],
    entries: [],
    deactivations: 0,
    activeBefore: await tx.directorySources.countActivePeople(source.id),
  };

  const valid: PersonRecord[] = [];
  const seen = new Set<string>();
  for (const p of read.people) {
    const problems = profileErrors(p.profile);
    if (problems.length) skip(ctx, p.dn, problems.map((e) => `${e.path} ${e.message}`).join("; "));
    else if (seen.has(p.externalId)) skip(ctx, p.dn, "duplicate external id");
    else {
      seen.add(p.externalId);
      valid.push(p);
    }
  }

  // Logins must stay unique: a person from this source never takes over a login held by anyone else.
  const wanted = valid.filter((p) => byExternalId.get(p.externalId)?.profile.login !== p.profile.login);
  const holders = await tx.users.idsByLogin(wanted.map((p) => p.profile.login));
  const claimed = new Set<string>();

  for (const p of valid) {
    const current = byExternalId.get(p.externalId);
    const key = keyOf(p.profile.login);
    const holder = holders.get(key);
    if ((holder && holder !== current?.objectId) || claimed.has(key)) {
      skip(ctx, p.dn, `login ${JSON.stringify(p.profile.login)} belongs to another person`);
      if (current) ctx.userIds.set(p.externalId, current.objectId);
      continue;
    }
    claimed.add(key);
    const status: UserStatus = p.disabled ? "SUSPENDED" : "ACTIVE";
    if (!current) {
      const id = newId("usr");
      plan.creates.push({ id, profile: p.profile, status, passwordHash: null, at: ctx.at });
      plan.entries.push({ kind: "person", externalId: p.externalId, objectId: id, dn: p.dn, dnKey: p.dnKey });
      ctx.userIds.set(p.externalId, id);
      continue;
    }
    ctx.userIds.set(p.externalId, current.objectId);
    if (current.dnKey !== p.dnKey || current.dn !== p.dn)
      plan.entries.push({ ...current, kind: "person", dn: p.dn, dnKey: p.dnKey });
    planUpdate(plan, ctx, current, p.profile, statusAfter(current.status, status));
  }

  if (ctx.peopleComplete) {
    for (const current of linked) {
      if (seen.has(current.externalId) || current.status === "DEPROVISIONED") continue;
      planUpdate(plan, ctx, current, current.profile, "DEPROVISIONED");
    }
  }
  return plan;
}

/** A suspended person stays deprovisioned until the directory enables them again. */
function statusAfter(current: UserStatus, wanted: UserStatus): UserStatus {
  if (wanted === "SUSPENDED" && current === "DEPROVISIONED") return current;
  return wanted;
}

function planUpdate(
  plan: PeoplePlan,
  ctx: SyncContext,
  current: LinkedPerson,
  profile: UserProfile,
  status: UserStatus,
) {
  const profileChanged = !sameProfile(current.profile, profile);
  const statusChanged = current.status !== status;
  if (!profileChanged && !statusChanged) return;
  const change: UserChange = { at: ctx.at };
  if (profileChanged) change.profile = profile;
  if (statusChanged) change.status = status;
  plan.updates.push({ id: current.objectId, before: current.status, change });
  if (statusChanged && status !== "ACTIVE" && current.status === "ACTIVE") plan.deactivations++;
}

export async function writePeople(ctx: SyncContext, plan: PeoplePlan): Promise<void> {
  const { tx, counts } = ctx;
  await tx.users.insertMany(plan.creates);
  counts.created += plan.creates.length;
  for (const u of plan.creates) ctx.changedUsers.add(u.id);
  for (const { id, before, change } of plan.updates) {
    await tx.users.update(id, change);
    ctx.changedUsers.add(id);
    if (change.profile) counts.updated++;
    if (!change.status) continue;
    if (change.status === "ACTIVE") counts.reactivated++;
    else {
      if (before === "ACTIVE" || before === "STAGED") counts.deactivated++;
      // Disabled or gone from the directory: their sessions end now, as when an admin suspends them.
      await tx.sessions.deleteForUser(id);
    }
  }
  await tx.directorySources.upsertEntries(ctx.source.id, plan.entries);
}
