import { DomainError } from "../errors.js";
import { laneOrder } from "./apply-order.js";
import { ScimError } from "./errors.js";
import { MembershipWindows } from "./membership-windows.js";
import type { ScimOperations } from "./operations.js";
import { type DesiredState, type MemberRef, type Plan, type PlanOp, type PlanOptions, planReconcile } from "./plan.js";
import {
  createFailed,
  describe,
  notAttempted,
  type ObjectResult,
  type ResultError,
  toResultError,
  unprovisionedMembers,
} from "./results.js";

export type { ObjectResult, ResultError } from "./results.js";
export { toResultError } from "./results.js";

export interface ApplyOutcome {
  results: ObjectResult[];
  /**
   * Memberships (user externalIds) the target now holds as far as this run knows, by group
   * externalId. Targets that cannot list members (AWS) need these fed back as `knownMemberships`.
   */
  memberships: Record<string, string[]>;
}

export interface ReconcileOutcome extends ApplyOutcome {
  plan: Plan;
  dryRun: boolean;
}

/** "Sync now" and the scheduled run: plan, then (unless dry-run) apply. */
export async function reconcile(
  ops: ScimOperations,
  desired: DesiredState,
  options: PlanOptions & { dryRun?: boolean } = {},
): Promise<ReconcileOutcome> {
  const plan = await planReconcile(ops, desired, options);
  if (options.dryRun) return { plan, dryRun: true, results: [], memberships: structuredClone(plan.currentMemberships) };
  return { plan, dryRun: false, ...(await applyPlan(ops, plan)) };
}

/**
 * Executes a plan. A failure is recorded on its object and the run goes on: one bad person never blocks the
 * others, and nothing fails silently. Results come back in plan order whatever order the requests went in.
 *
 * Deletions go first. Then two lanes run side by side, each in order: the users' operations, and the groups'
 * (creates, renames, membership batches). They draw from different budgets — a target like AWS throttles
 * membership operations apart from writes — so a large group's PATCHes waiting for membership budget never hold
 * up user creates. A group operation waits only for the creates of the members it names, and users are
 * created in the order the groups need them, so groups fill while the remaining people are still being created.
 */
export async function applyPlan(
  ops: ScimOperations,
  plan: Plan,
  hooks: { beforeWrite?: (op: PlanOp) => Promise<void> } = {},
): Promise<ApplyOutcome> {
  const userIds = new Map(Object.entries(plan.userRemoteIds));
  const groupIds = new Map(Object.entries(plan.groupRemoteIds));
  const memberships = new Map(Object.entries(plan.currentMemberships).map(([g, m]) => [g, new Set(m)]));
  const results: ObjectResult[] = new Array(plan.ops.length);

  const membersOf = (group: string) => {
    const set = memberships.get(group) ?? new Set<string>();
    memberships.set(group, set);
    return set;
  };
  const resolve = (members: MemberRef[]) => {
    const ids: string[] = [];
    const missing: string[] = [];
    for (const m of members) {
      const id = m.remoteId ?? (m.externalId ? userIds.get(m.externalId) : undefined);
      if (id) ids.push(id);
      else missing.push(m.externalId ?? "?");
    }
    return { ids, missing };
  };

  // A refused token fails every request alike: stop sending after the first, but still give
  // every remaining object its own error so none is silently left behind.
  let refused: ResultError | null = null;
  const onError = (error: unknown) => {
    const failure = toResultError(error);
    if (error instanceof ScimError && error.errorClass === "auth") refused ??= failure;
    return failure;
  };
  // With the target's budgets known (AWS: writes and membership operations apart), the new groups' members go
  // by time window (membership-windows.ts); otherwise in the planned batches, each sent once its people exist.
  const limits = ops.limits?.membership ? ops.limits : null;
  const lanes = laneOrder(plan.ops, limits ? "mostMemberships" : "groupOrder");
  const run = async (index: number) => {
    const op = lanes.ops[index]!;
    const result: ObjectResult = { kind: op.kind, externalId: op.externalId, status: "ok" };
    try {
      if (refused) throw notAttempted(refused);
      await hooks.beforeWrite?.(op);
      await applyOne(op, result);
    } catch (error) {
      result.status = "error";
      result.error = onError(error);
    }
    results[index] = result;
  };

  for (const index of lanes.first) await run(index);
  const creating = new Map<string, { done: Promise<void>; settle: () => void }>();
  for (const index of lanes.users) {
    const op = lanes.ops[index]!;
    if (op.kind !== "createUser") continue;
    let settle = () => {};
    const done = new Promise<void>((r) => {
      settle = r;
    });
    creating.set(op.externalId, { done, settle });
  }
  const newGroups = new Set(
    lanes.groups.flatMap((i) => (lanes.ops[i]!.kind === "createGroup" ? [lanes.ops[i]!.externalId] : [])),
  );
  const windowed = limits
    ? lanes.groups.filter((i) => {
        const op = lanes.ops[i]!;
        return (op.kind === "createGroup" || op.kind === "addMembers") && newGroups.has(op.externalId);
      })
    : [];
  let usersLeft = lanes.users.length;
  const windows =
    limits && windowed.length > 0
      ? new MembershipWindows(
          {
            ops,
            limits,
            userIds,
            usersLeft: () => usersLeft,
            groupsListed: plan.complete.groups,
            recordMembers: (group, externalIds) => {
              const set = membersOf(group);
              for (const id of externalIds) set.add(id);
            },
            ...(hooks.beforeWrite ? { beforeWrite: hooks.beforeWrite } : {}),
            refused: () => refused,
            onError,
          },
          lanes.ops,
          windowed,
          new Set(creating.keys()),
        )
      : null;
  const userLane = async () => {
    for (const index of lanes.users) {
      await run(index);
      usersLeft--;
      const op = lanes.ops[index]!;
      if (op.kind === "createUser") {
        creating.get(op.externalId)?.settle();
        windows?.userSettled(op.externalId);
      }
    }
    windows?.finishedUsers();
  };
  const inWindows = new Set(windowed);
  const groupLane = async () => {
    for (const index of lanes.groups) {
      if (inWindows.has(index)) continue;
      const op = lanes.ops[index]!;
      if ("members" in op)
        for (const m of op.members) if (m.remoteId === null && m.externalId) await creating.get(m.externalId)?.done;
      await run(index);
    }
  };
  await Promise.all([userLane(), groupLane(), windows?.run()]);
  for (const [index, result] of windows?.results() ?? []) results[index] = result;

  async function applyOne(op: PlanOp, result: ObjectResult): Promise<void> {
    switch (op.kind) {
      case "rejectUser":
        throw new DomainError(
          "validation_failed",
          `user ${op.externalId} cannot be provisioned: ${describe(op.errors)}`,
          {
            errors: op.errors,
          },
        );
      case "createUser": {
        const listedAbsent = plan.complete.users || op.lookedUp;
        const { remote, adopted } = await ops.createUser(op.user, { listedAbsent });
        userIds.set(op.externalId, remote.id);
        Object.assign(result, { remoteId: remote.id, adopted });
        return;
      }
      case "updateUser":
      case "deactivateUser":
      case "reactivateUser":
        result.remoteId = op.remoteId;
        await ops.updateUser(op.remoteId, op.user, op.changes);
        return;
      case "deleteUser":
        result.remoteId = op.remoteId;
        await ops.deleteUser(op.remoteId);
        userIds.delete(op.externalId);
        // The target drops a deleted user's memberships with it.
        for (const set of memberships.values()) set.delete(op.externalId);
        return;
      case "deleteGroup":
        result.remoteId = op.remoteId;
        await ops.deleteGroup(op.remoteId);
        memberships.delete(op.externalId);
        return;
      case "createGroup": {
        const { ids, missing } = resolve(op.members);
        const { remote, adopted } = await ops.createGroup(
          { externalId: op.externalId, displayName: op.displayName },
          ids,
          { listedAbsent: plan.complete.groups || op.lookedUp },
        );
        groupIds.set(op.externalId, remote.id);
        Object.assign(result, { remoteId: remote.id, adopted });
        for (const m of op.members)
          if (m.externalId && !missing.includes(m.externalId)) membersOf(op.externalId).add(m.externalId);
        if (missing.length > 0) throw unprovisionedMembers(missing);
        return;
      }
      case "updateGroup":
        result.remoteId = op.remoteId;
        await ops.updateGroup(op.remoteId, { displayName: op.displayName, externalId: op.setExternalId });
        return;
      case "addMembers":
      case "removeMembers": {
        const groupId = op.remoteId ?? groupIds.get(op.externalId);
        if (!groupId) throw createFailed(op.externalId);
        result.remoteId = groupId;
        const { ids, missing } = resolve(op.members);
        await ops.patchMembers(groupId, op.kind === "addMembers" ? "add" : "remove", ids);
        const set = membersOf(op.externalId);
        for (const m of op.members) {
          if (!m.externalId || missing.includes(m.externalId)) continue;
          if (op.kind === "addMembers") set.add(m.externalId);
          else set.delete(m.externalId);
        }
        if (missing.length > 0) throw unprovisionedMembers(missing);
        return;
      }
    }
  }

  return {
    results,
    memberships: Object.fromEntries([...memberships].map(([group, set]) => [group, [...set].sort()])),
  };
}
