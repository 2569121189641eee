import { followMembershipRules, type MembershipChange } from "../directory/membership-rules.js";
import type { Membership } from "../directory/model.js";
import type { GroupRecord } from "./ldap-read.js";
import type { SyncContext } from "./sync-context.js";

/**
 * Makes the members of every group read equal to the directory's (flattened through nested groups when the source
 * says so). Only this source's groups are touched: a person's local groups stay as they are. Membership rules
 * starting from a changed group follow, as for any membership change.
 */
export async function mirrorMemberships(ctx: SyncContext, groupIds: Map<string, string>): Promise<void> {
  const { tx, read, source, counts, at } = ctx;
  const groups = read.groups.filter((g) => groupIds.has(g.externalId));
  const personByDn = new Map<string, string>();
  for (const p of read.people) {
    const id = ctx.userIds.get(p.externalId);
    if (id) personByDn.set(p.dnKey, id);
  }
  const groupByDn = new Map(read.groups.map((g) => [g.dnKey, g]));

  if (!ctx.peopleComplete) {
    // An incremental read holds only the changed people: members who did not change are found by their stored DN.
    const unresolved = new Set<string>();
    for (const g of groups)
      for (const k of g.memberDnKeys) if (!personByDn.has(k) && !groupByDn.has(k)) unresolved.add(k);
    const entries = (await tx.directorySources.entriesByDn(source.id, [...unresolved])).filter(
      (e) => e.kind === "person",
    );
    const people = await tx.directorySources.linkedPeople(
      source.id,
      entries.map((e) => e.externalId),
    );
    for (const p of people) if (p.status !== "DEPROVISIONED") personByDn.set(p.dnKey, p.objectId);
  }

  const flattened = new Map<GroupRecord, Set<string>>();
  const membersOf = (g: GroupRecord, path: Set<GroupRecord>): Set<string> => {
    const known = flattened.get(g);
    if (known) return known;
    const out = new Set<string>();
    path.add(g);
    for (const k of g.memberDnKeys) {
      const user = personByDn.get(k);
      if (user) out.add(user);
      else if (source.settings.nestedGroups) {
        const child = groupByDn.get(k);
        // A cycle of groups in the directory adds nothing more once walked.
        if (child && !path.has(child)) for (const u of membersOf(child, path)) out.add(u);
      }
    }
    path.delete(g);
    flattened.set(g, out);
    return out;
  };

  const ids = groups.map((g) => groupIds.get(g.externalId) as string);
  const current = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const pair of await tx.directorySources.memberPairs(ids)) current.get(pair.groupId)?.add(pair.userId);

  // Additions gathered per person, then written in primary-key order (person, group): a first sync's million rows
  // go in about twice as fast as group by group, and ordering the hundred thousand people is cheaper than ordering
  // the million rows.
  const addedByUser = new Map<string, string[]>();
  const removals: { groupId: string; userId: string }[] = [];
  const changes: MembershipChange[] = [];
  for (const g of groups) {
    const groupId = groupIds.get(g.externalId) as string;
    const want = membersOf(g, new Set());
    const have = current.get(groupId) ?? new Set<string>();
    counts.memberships += want.size;
    const added: string[] = [];
    for (const u of want) if (!have.has(u)) added.push(u);
    const removed = [...have].filter((u) => !want.has(u));
    for (const userId of added) {
      const list = addedByUser.get(userId);
      if (list) list.push(groupId);
      else addedByUser.set(userId, [groupId]);
    }
    for (const userId of removed) removals.push({ groupId, userId });
    if (added.length || removed.length) {
      changes.push({ groupId, added, removed });
      ctx.changedGroups.add(groupId);
    }
  }
  const additions: Membership[] = [];
  for (const userId of [...addedByUser.keys()].sort())
    for (const groupId of (addedByUser.get(userId) as string[]).sort())
      additions.push({ groupId, userId, created: at });
  counts.membershipsAdded += await tx.memberships.addMany(additions);
  counts.membershipsRemoved += await tx.directorySources.removeMemberships(removals, at);

  const ruleSources = new Set((await tx.membershipRules.list()).map((r) => r.fromGroupId));
  const followed = changes.filter((c) => ruleSources.has(c.groupId));
  if (followed.length) await followMembershipRules(tx, ctx.clock, ctx.actor, followed, at);
}
