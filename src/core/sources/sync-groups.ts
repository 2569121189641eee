import type { NewGroup } from "../../store/contract.js";
import type { LinkedGroup, SourceEntry } from "../../store/contract-sources.js";
import { deleteRuleIn } from "../directory/membership-rules.js";
import { groupErrors } from "../directory/validate.js";
import { newId } from "../ids.js";
import type { GroupRecord } from "./ldap-read.js";
import { type SyncContext, skip } from "./sync-context.js";

export interface GroupsPlan {
  creates: NewGroup[];
  /** A group of this source with the same name and no directory id: taken over. */
  adopt: { id: string; externalId: string }[];
  updates: { id: string; name: string; description: string | null }[];
  removals: LinkedGroup[];
  entries: SourceEntry[];
  /** Group external id -> group id, for every group read. */
  groupIds: Map<string, string>;
  linkedBefore: number;
}

const keyOf = (name: string) => name.toLowerCase();

/** Decides, without writing, which groups of the source are created, renamed or (after a complete read) removed. */
export async function planGroups(ctx: SyncContext): Promise<GroupsPlan> {
  const { tx, source, read } = ctx;
  const linked = await tx.directorySources.linkedGroups(
    source.id,
    ctx.groupsComplete ? undefined : read.groups.map((g) => g.externalId),
  );
  const byExternalId = new Map(linked.map((g) => [g.externalId, g]));
  const plan: GroupsPlan = {
    creates: [],
    adopt: [],
    updates: [],
    removals: [],
    entries: [],
    groupIds: new Map(),
    linkedBefore: linked.length,
  };
  const valid: GroupRecord[] = [];
  const seen = new Set<string>();
  for (const g of read.groups) {
    const problems = groupErrors({ name: g.name, description: g.description, source: source.name, externalId: null });
    if (problems.length) skip(ctx, g.dn, problems.map((e) => `${e.path} ${e.message}`).join("; "));
    else if (seen.has(g.externalId)) skip(ctx, g.dn, "duplicate external id");
    else {
      seen.add(g.externalId);
      valid.push(g);
    }
  }

  const renamed = valid.filter((g) => byExternalId.get(g.externalId)?.name !== g.name);
  const holders = await tx.groups.idsByName(renamed.map((g) => ({ source: source.name, name: g.name })));
  // A same-named group of this source without a directory id (made by hand), or with this entry's id (left by a
  // removed source), is taken over; one carrying another entry's id is that entry's.
  const holderExternalId = new Map<string, string | null>();
  for (const id of new Set(holders.values())) {
    const g = await tx.groups.get(id);
    if (g) holderExternalId.set(id, g.externalId);
  }
  const adoptable = (holder: string, externalId: string) => {
    const held = holderExternalId.get(holder);
    return held === null || held === externalId;
  };
  const claimed = new Set<string>();
  for (const g of valid) {
    const current = byExternalId.get(g.externalId);
    const key = keyOf(g.name);
    const holder = holders.get(`${source.name}\u0000${key}`);
    if ((holder && holder !== current?.objectId && (current || !adoptable(holder, g.externalId))) || claimed.has(key)) {
      skip(ctx, g.dn, `another group of ${source.name} is named ${JSON.stringify(g.name)}`);
      if (current) plan.groupIds.set(g.externalId, current.objectId);
      continue;
    }
    claimed.add(key);
    if (!current) {
      const id = holder ?? newId("grp");
      if (holder) plan.adopt.push({ id, externalId: g.externalId });
      else
        plan.creates.push({
          id,
          name: g.name,
          description: g.description,
          source: source.name,
          externalId: g.externalId,
          at: ctx.at,
        });
      plan.groupIds.set(g.externalId, id);
      plan.entries.push({ kind: "group", externalId: g.externalId, objectId: id, dn: g.dn, dnKey: g.dnKey });
      continue;
    }
    plan.groupIds.set(g.externalId, current.objectId);
    if (current.dn !== g.dn) plan.entries.push({ ...current, kind: "group", dn: g.dn, dnKey: g.dnKey });
    if (current.name !== g.name || current.description !== g.description)
      plan.updates.push({ id: current.objectId, name: g.name, description: g.description });
  }
  if (ctx.groupsComplete) plan.removals = linked.filter((g) => !seen.has(g.externalId));
  return plan;
}

export async function writeGroups(ctx: SyncContext, plan: GroupsPlan): Promise<void> {
  const { tx, counts, at } = ctx;
  await tx.groups.insertMany(plan.creates);
  counts.groupsCreated += plan.creates.length;
  for (const a of plan.adopt) {
    await tx.groups.update(a.id, { externalId: a.externalId, at });
    ctx.changedGroups.add(a.id);
  }
  for (const u of plan.updates) {
    await tx.groups.update(u.id, { name: u.name, description: u.description, at });
    ctx.changedGroups.add(u.id);
    counts.groupsUpdated++;
  }
  for (const g of plan.removals) {
    // As when an admin deletes a group: what its membership rules held elsewhere goes with it.
    for (const rule of await tx.membershipRules.fromGroups([g.objectId]))
      await deleteRuleIn(tx, ctx.clock, ctx.actor, rule, at);
    await tx.groups.delete(g.objectId);
    ctx.removedGroups.add(g.objectId);
    counts.groupsRemoved++;
  }
  await tx.directorySources.deleteEntries(
    ctx.source.id,
    "group",
    plan.removals.map((g) => g.externalId),
  );
  await tx.directorySources.upsertEntries(ctx.source.id, plan.entries);
}
