import { type BudgetLimits, MEMBERSHIP_HEADROOM, WRITE_HEADROOM } from "./budgets.js";
import type { ScimOperations } from "./operations.js";
import type { MemberRef, PlanOp } from "./plan.js";
import {
  createFailed,
  notAttempted,
  type ObjectResult,
  type ResultError,
  toResultError,
  unprovisionedMembers,
} from "./results.js";

type Adds = Extract<PlanOp, { kind: "createGroup" | "addMembers" }>;

/** What applyPlan lends the windows: the users' lane's progress and the run's shared bookkeeping. */
export interface WindowHost {
  ops: ScimOperations;
  limits: BudgetLimits;
  /** Remote ids of users, filled by the users' lane as creates succeed. */
  userIds: ReadonlyMap<string, string>;
  /** Users' lane operations (each one write) not yet finished. */
  usersLeft: () => number;
  /** The plan's group listing was complete: a create need not look the group up first. */
  groupsListed: boolean;
  /** Memberships now on the target: the run reports them. */
  recordMembers: (group: string, externalIds: string[]) => void;
  beforeWrite?: (op: PlanOp) => Promise<void>;
  /** The token was refused: nothing more is sent. */
  refused: () => ResultError | null;
  /** A request failed: its error as a result (a refused token is noted by applyPlan). */
  onError: (error: unknown) => ResultError;
}

interface Work {
  create: Extract<PlanOp, { kind: "createGroup" }>;
  createIndex: number;
  remoteId: string | null;
  adopted: boolean;
  failed: ResultError | null;
  ready: MemberRef[];
  /** Members whose user create has not finished yet. */
  waiting: number;
  opOf: Map<MemberRef, number>;
}

interface OpState {
  index: number;
  work: Work;
  missing: string[];
  error: ResultError | null;
}

/** Extra (not strictly needed) requests are paced at this multiple of the write rate the plan leaves spare. */
const EXTRA_PACE = 1.75;
const EXTRA_BURST = 20;
/** An extra request must carry at least this share of the members per request the remaining writes allow. */
const EXTRA_MIN_SHARE = 0.7;

/**
 * Membership writes of the groups a plan creates, sent by time window instead of per planned batch.
 *
 * A member can be added only once the person exists, and people come at the write rate. Waiting for every
 * member a planned batch names leaves the membership budget idle while the people are created and then has it
 * work alone at the end. Here the members of each new group form one pool, filled as the users' lane creates
 * people; whenever the lane is free it sends the largest batch that costs no extra request (a group's create
 * with all its members, a full PATCH, or the odd-sized remainder first), and sends a partial batch — one write
 * more than the fewest — only while the write budget has room for it: the writes still needed, at the write
 * rate, must fit in the time the remaining membership operations take at theirs. Every member still travels
 * exactly once, in a create or a PATCH of at most the profile's limit, so the end state is the plan's.
 */
export class MembershipWindows {
  private readonly works = new Map<string, Work>();
  private readonly states = new Map<number, OpState>();
  private readonly waiters = new Map<string, Array<{ work: Work; ref: MemberRef }>>();
  private wake: (() => void) | null = null;
  private usersDone = false;
  private extras = { tokens: EXTRA_BURST, at: 0, rate: 0 };

  constructor(
    private readonly host: WindowHost,
    planOps: readonly PlanOp[],
    indexes: readonly number[],
    /** Users the users' lane will create in this run. */
    creating: ReadonlySet<string>,
  ) {
    for (const index of indexes) {
      const op = planOps[index] as Adds;
      let work = this.works.get(op.externalId);
      if (op.kind === "createGroup") {
        work = {
          create: op,
          createIndex: index,
          remoteId: null,
          adopted: false,
          failed: null,
          ready: [],
          waiting: 0,
          opOf: new Map(),
        };
        this.works.set(op.externalId, work);
      }
      if (!work) throw new Error(`addMembers for ${op.externalId} before its createGroup`);
      this.states.set(index, { index, work, missing: [], error: null });
      for (const ref of op.members) {
        work.opOf.set(ref, index);
        if (ref.remoteId === null && ref.externalId && creating.has(ref.externalId)) {
          work.waiting++;
          const list = this.waiters.get(ref.externalId) ?? [];
          list.push({ work, ref });
          this.waiters.set(ref.externalId, list);
        } else work.ready.push(ref);
      }
    }
  }

  /** The users' lane finished a create (successful or not): its memberships are ready, or cannot be sent. */
  userSettled(externalId: string): void {
    for (const { work, ref } of this.waiters.get(externalId) ?? []) {
      work.waiting--;
      if (this.host.userIds.has(externalId)) work.ready.push(ref);
      else this.stateOf(work, ref).missing.push(externalId);
    }
    this.waiters.delete(externalId);
    this.wake?.();
  }

  /** The users' lane is done: everything left is ready, and writes are no longer shared. */
  finishedUsers(): void {
    this.usersDone = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    this.extras = { tokens: EXTRA_BURST, at: performance.now(), rate: 0 };
    const spare = this.writeRate() - this.minWrites() / Math.max(1e-9, this.membersLeft() / this.memberRate());
    this.extras.rate = this.membersLeft() > 0 ? Math.max(0, EXTRA_PACE * spare) : 0;
    for (;;) {
      const active = [...this.works.values()].filter((w) => !w.failed && (!w.remoteId || this.left(w) > 0));
      if (active.length === 0) return;
      const refused = this.host.refused();
      if (refused) {
        this.abandon(active, toResultError(notAttempted(refused)));
        return;
      }
      const choice = this.pick(active);
      if (!choice) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
        continue;
      }
      if (choice.extra) this.extras.tokens -= 1;
      await this.send(choice.work, choice.work.ready.splice(0, choice.size));
    }
  }

  /** One result per operation the windows sent, in the shape applyPlan gives every operation. */
  results(): Array<[number, ObjectResult]> {
    return [...this.states.values()].map(({ index, work, missing, error }) => {
      const op = work.createIndex === index ? work.create : null;
      const result: ObjectResult = {
        kind: op ? "createGroup" : "addMembers",
        externalId: work.create.externalId,
        status: "ok",
      };
      if (work.remoteId) result.remoteId = work.remoteId;
      if (op && work.remoteId) result.adopted = work.adopted;
      const failure = work.failed
        ? op
          ? work.failed
          : toResultError(createFailed(work.create.externalId))
        : (error ?? (missing.length > 0 ? toResultError(unprovisionedMembers(missing)) : null));
      if (failure) Object.assign(result, { status: "error", error: failure });
      return [index, result];
    });
  }

  private pick(active: Work[]): { work: Work; size: number; extra: boolean } | null {
    const profile = this.host.ops.profile;
    let best: { work: Work; size: number } | null = null;
    let largest: { work: Work; size: number } | null = null;
    for (const work of active) {
      const left = this.left(work);
      // A group with no members to add is created at once: nothing to wait for.
      if (!work.remoteId && left === 0) return { work, size: 0, extra: false };
      const size = Math.min(
        work.ready.length,
        work.remoteId ? profile.maxMembershipOpsPerPatch : profile.maxMembersInCreate,
      );
      if (size === 0) continue;
      if (size >= this.leastWithoutExtra(work, left) && (!best || size > best.size)) best = { work, size };
      if (!largest || size > largest.size) largest = { work, size };
    }
    if (largest && largest.size > (best?.size ?? 0) && this.extraAllowed(largest.size))
      return { ...largest, extra: !this.usersDone };
    return best && { ...best, extra: false };
  }

  /** The fewest members a batch must carry for the group to still need no more requests than the fewest. */
  private leastWithoutExtra(work: Work, left: number): number {
    const { maxMembershipOpsPerPatch: perPatch, maxMembersInCreate: inCreate } = this.host.ops.profile;
    if (work.remoteId) return left - perPatch * (Math.ceil(left / perPatch) - 1);
    return left - perPatch * Math.ceil(Math.max(0, left - inCreate) / perPatch);
  }

  private extraAllowed(size: number): boolean {
    if (this.usersDone) return true;
    const now = performance.now();
    this.extras.tokens = Math.min(EXTRA_BURST, this.extras.tokens + ((now - this.extras.at) / 1000) * this.extras.rate);
    this.extras.at = now;
    if (this.extras.tokens < 1) return false;
    const fewest = this.minWrites();
    const slack = (this.membersLeft() / this.memberRate()) * this.writeRate() - fewest;
    if (slack < 1) return false;
    const groupWrites = fewest - this.host.usersLeft();
    return size >= (EXTRA_MIN_SHARE * this.membersLeft()) / (slack + groupWrites);
  }

  private async send(work: Work, batch: MemberRef[]): Promise<void> {
    const ids: string[] = [];
    const sent: MemberRef[] = [];
    for (const ref of batch) {
      const id = ref.remoteId ?? (ref.externalId ? this.host.userIds.get(ref.externalId) : undefined);
      if (id) {
        ids.push(id);
        sent.push(ref);
      } else this.stateOf(work, ref).missing.push(ref.externalId ?? "?");
    }
    const { ops, beforeWrite } = this.host;
    const externalId = work.create.externalId;
    try {
      if (!work.remoteId) {
        await beforeWrite?.({ ...work.create, members: sent });
        const listedAbsent = this.host.groupsListed || work.create.lookedUp;
        const { remote, adopted } = await ops.createGroup({ externalId, displayName: work.create.displayName }, ids, {
          listedAbsent,
        });
        Object.assign(work, { remoteId: remote.id, adopted });
      } else {
        if (ids.length === 0) return;
        await beforeWrite?.({ kind: "addMembers", externalId, remoteId: work.remoteId, members: sent });
        await ops.patchMembers(work.remoteId, "add", ids);
      }
      this.host.recordMembers(
        externalId,
        sent.flatMap((m) => (m.externalId ? [m.externalId] : [])),
      );
    } catch (error) {
      const failure = this.host.onError(error);
      if (!work.remoteId) work.failed = failure;
      else for (const ref of sent) this.stateOf(work, ref).error ??= failure;
    }
  }

  private abandon(active: Work[], failure: ResultError): void {
    for (const work of active) {
      if (!work.remoteId) work.failed = failure;
      else for (const ref of work.ready) this.stateOf(work, ref).error ??= failure;
      for (const list of this.waiters.values())
        for (const w of list) if (w.work === work) this.stateOf(work, w.ref).error ??= failure;
      work.ready = [];
    }
  }

  private stateOf(work: Work, ref: MemberRef): OpState {
    return this.states.get(work.opOf.get(ref)!)!;
  }

  private left(work: Work): number {
    return work.ready.length + work.waiting;
  }

  private membersLeft(): number {
    let n = 0;
    for (const work of this.works.values()) if (!work.failed) n += this.left(work);
    return n;
  }

  /** The fewest writes still needed: the users' lane's, and each group's create and full PATCHes. */
  private minWrites(): number {
    const { maxMembershipOpsPerPatch: perPatch, maxMembersInCreate: inCreate } = this.host.ops.profile;
    let n = this.host.usersLeft();
    for (const work of this.works.values()) {
      if (work.failed) continue;
      const left = this.left(work);
      n += work.remoteId ? Math.ceil(left / perPatch) : 1 + Math.ceil(Math.max(0, left - inCreate) / perPatch);
    }
    return n;
  }

  private writeRate(): number {
    return this.host.limits.write.ratePerSecond * WRITE_HEADROOM;
  }

  /** The rate the client's membership budget actually spends at (budgets.ts keeps it under the target's). */
  private memberRate(): number {
    return this.host.limits.membership.ratePerSecond * MEMBERSHIP_HEADROOM;
  }
}
