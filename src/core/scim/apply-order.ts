import type { MemberRef, PlanOp, PlanOpKind } from "./plan.js";

const USER_KINDS: ReadonlySet<PlanOpKind> = new Set([
  "rejectUser",
  "createUser",
  "updateUser",
  "deactivateUser",
  "reactivateUser",
]);

export interface Lanes {
  /** The plan's operations, with each group's added members redistributed (see laneOrder). Same indexes. */
  ops: PlanOp[];
  /** Deletions, run alone before the lanes. */
  first: number[];
  users: number[];
  groups: number[];
}

/**
 * How applyPlan runs a plan: deletions first, alone; then the users' lane and the groups' lane side by side.
 *
 * A group's operation can go only once the members it names exist, so the order decides how early groups fill:
 * - users are created in the order the groups' lane needs them (first group first), people in no group last;
 * - each group's added members are redistributed over its create and add batches (same sizes) so the first
 *   requests carry the members created first — a large group's create need not wait for its last member.
 * The group's end state and its operations' results are the same whichever batch a member travels in.
 */
export function laneOrder(
  planned: readonly PlanOp[],
  userOrder: "groupOrder" | "mostMemberships" = "groupOrder",
): Lanes {
  const first: number[] = [];
  const users: number[] = [];
  const groups: number[] = [];
  planned.forEach((op, index) => {
    if (op.kind === "deleteUser" || op.kind === "deleteGroup") first.push(index);
    else (USER_KINDS.has(op.kind) ? users : groups).push(index);
  });
  const created = new Set(planned.flatMap((op) => (op.kind === "createUser" ? [op.externalId] : [])));
  const rank = new Map<string, number>();
  for (const index of groups) {
    const op = planned[index]!;
    if (!("members" in op)) continue;
    for (const m of op.members)
      if (m.remoteId === null && m.externalId && created.has(m.externalId) && !rank.has(m.externalId))
        rank.set(m.externalId, rank.size);
  }
  const rankOf = (m: MemberRef) => (m.remoteId !== null || !m.externalId ? -1 : (rank.get(m.externalId) ?? rank.size));

  const ops = [...planned];
  const adds = new Map<string, number[]>();
  for (const index of groups) {
    const op = planned[index]!;
    if (op.kind === "createGroup" || op.kind === "addMembers") {
      const list = adds.get(op.externalId) ?? [];
      list.push(index);
      adds.set(op.externalId, list);
    }
  }
  for (const indexes of adds.values()) {
    if (indexes.length < 2) continue;
    const all = indexes.flatMap((i) => (planned[i] as { members: MemberRef[] }).members);
    // Stable: equal ranks (members already on the target) keep the plan's order.
    const sorted = all.map((m, i) => ({ m, i })).sort((a, b) => rankOf(a.m) - rankOf(b.m) || a.i - b.i);
    let at = 0;
    for (const i of indexes) {
      const op = planned[i] as Extract<PlanOp, { kind: "createGroup" | "addMembers" }>;
      ops[i] = { ...op, members: sorted.slice(at, at + op.members.length).map((s) => s.m) };
      at += op.members.length;
    }
  }

  // Membership windows (membership-windows.ts) send whatever is ready, so they are fed fastest by the people
  // who are in the most groups: each create then readies the most memberships, and the last creates ready few.
  const memberships = new Map<string, number>();
  if (userOrder === "mostMemberships")
    for (const index of groups) {
      const op = planned[index]!;
      if ("members" in op)
        for (const m of op.members)
          if (m.externalId) memberships.set(m.externalId, (memberships.get(m.externalId) ?? 0) + 1);
    }
  const userRank = (index: number) => {
    const op = planned[index]!;
    if (op.kind !== "createUser") return Number.NEGATIVE_INFINITY;
    return userOrder === "mostMemberships"
      ? -(memberships.get(op.externalId) ?? 0)
      : (rank.get(op.externalId) ?? rank.size);
  };
  // Stable: equal ranks keep plan order.
  const ordered = users
    .map((index) => ({ index, rank: userRank(index) }))
    .sort((a, b) => (a.rank === b.rank ? 0 : a.rank < b.rank ? -1 : 1));
  return { ops, first, users: ordered.map((o) => o.index), groups };
}
