import type { Repos, Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import { DomainError, notFound, validationFailed } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import type { Group, MembershipRule } from "./model.js";

/** Members read per step when a new rule copies its source group's members. */
const PAGE = 1000;
/** How many people a log entry names; the count is always exact. */
const LOGGED_PEOPLE = 50;

export interface MembershipChange {
  groupId: string;
  added?: readonly string[];
  removed?: readonly string[];
}

const groupTarget = (g: Pick<Group, "id" | "name" | "source">) => ({
  type: "group",
  id: g.id,
  display: `${g.source}/${g.name}`,
});

/**
 * Carries membership changes of groups along their rules, in the caller's transaction: a person who joins G
 * joins every R with a rule G → R (held by the rule, not direct), and leaves R when the last rule holding them
 * there lets go and they were not also made a member directly. Chains of rules are followed; rules never form a
 * cycle (refused when created), so this ends. Each changed target group is logged and queued for provisioning.
 */
export async function followMembershipRules(
  tx: Repos,
  clock: Clock,
  actor: Actor,
  changes: readonly MembershipChange[],
  at: string,
): Promise<void> {
  const queue = coalesce(changes);
  while (queue.length) {
    const change = queue.shift() as MembershipChange;
    for (const rule of await tx.membershipRules.fromGroups([change.groupId])) {
      const added = change.added ?? [];
      const removed = change.removed ?? [];
      if (added.length) await tx.membershipRules.grant(rule.id, added);
      if (removed.length) await tx.membershipRules.revoke(rule.id, removed);
      const joined = await tx.memberships.addHeld(rule.toGroupId, added, at);
      const left = await tx.memberships.removeUnheld(rule.toGroupId, removed, at);
      await recordRuleChange(tx, clock, actor, rule, { joined, left }, at);
      if (joined.length || left.length) queue.push({ groupId: rule.toGroupId, added: joined, removed: left });
    }
  }
}

async function recordRuleChange(
  tx: Repos,
  clock: Clock,
  actor: Actor,
  rule: MembershipRule,
  change: { joined: readonly string[]; left: readonly string[] },
  at: string,
): Promise<void> {
  if (!change.joined.length && !change.left.length) return;
  const target = await tx.groups.get(rule.toGroupId);
  if (!target) return;
  for (const [action, people] of [
    ["group.user_membership.add", change.joined],
    ["group.user_membership.remove", change.left],
  ] as const) {
    if (!people.length) continue;
    await tx.log.append(
      logEvent(clock, actor, action, groupTarget(target), {
        rule: { id: rule.id, fromGroupId: rule.fromGroupId },
        count: people.length,
        users: people.slice(0, LOGGED_PEOPLE),
      }),
    );
  }
  await enqueueChange(tx, { kind: "membership", objectId: rule.toGroupId }, at);
}

/** Deletes a rule in the caller's transaction and lets go of every membership only it held. */
export async function deleteRuleIn(tx: Repos, clock: Clock, actor: Actor, rule: MembershipRule, at: string) {
  const held = await tx.membershipRules.granted(rule.id);
  await tx.membershipRules.delete(rule.id);
  const left = await tx.memberships.removeUnheld(rule.toGroupId, held, at);
  await recordRuleChange(tx, clock, actor, rule, { joined: [], left }, at);
  await followMembershipRules(tx, clock, actor, [{ groupId: rule.toGroupId, removed: left }], at);
  return left.length;
}

/** Membership rules ("members of G are members of R", Okta's group rules): listed, created and deleted by admins. */
export class MembershipRuleService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  list(): Promise<MembershipRule[]> {
    return this.store.membershipRules.list();
  }

  async get(id: string): Promise<MembershipRule> {
    const rule = await this.store.membershipRules.get(id);
    if (!rule) throw notFound("membership rule", id);
    return rule;
  }

  /** Creates the rule and, in the same transaction, makes every current member of `from` a member of `to`. */
  async create(actor: Actor, fromGroupId: string, toGroupId: string): Promise<MembershipRule & { joined: number }> {
    const from = await this.group(fromGroupId, "/fromGroupId");
    const to = await this.group(toGroupId, "/toGroupId");
    if (from.id === to.id) {
      throw validationFailed("the membership rule is invalid", [
        { path: "/toGroupId", message: "a group cannot be its own rule's target" },
      ]);
    }
    const rules = await this.store.membershipRules.list();
    const same = rules.find((r) => r.fromGroupId === from.id && r.toGroupId === to.id);
    if (same)
      throw new DomainError("conflict", `rule ${same.id} already makes members of ${from.name} members of ${to.name}`, {
        ruleId: same.id,
      });
    if (reaches(rules, to.id, from.id)) {
      throw new DomainError(
        "conflict",
        `members of ${to.name} already become members of ${from.name} through rules: this rule would make a cycle`,
        {
          fromGroupId: from.id,
          toGroupId: to.id,
        },
      );
    }
    const at = this.clock.now().toISOString();
    const rule: MembershipRule = {
      id: newId("rul"),
      fromGroupId: from.id,
      toGroupId: to.id,
      created: at,
      createdBy: actor.display,
    };
    return this.store.transaction(async (tx) => {
      await tx.membershipRules.insert(rule);
      await tx.log.append(
        logEvent(this.clock, actor, "group.rule.create", groupTarget(to), { ruleId: rule.id, fromGroupId: from.id }),
      );
      let joined = 0;
      let after: string | undefined;
      do {
        const page = await tx.memberships.membersOfGroup(from.id, { limit: PAGE, after });
        const ids = page.items.map((u) => u.id);
        await tx.membershipRules.grant(rule.id, ids);
        const added = await tx.memberships.addHeld(to.id, ids, at);
        joined += added.length;
        await recordRuleChange(tx, this.clock, actor, rule, { joined: added, left: [] }, at);
        await followMembershipRules(tx, this.clock, actor, [{ groupId: to.id, added }], at);
        after = page.nextCursor ?? undefined;
      } while (after);
      return { ...rule, joined };
    });
  }

  /** Deletes the rule; the people only it made members of its target group leave that group. */
  async delete(actor: Actor, id: string): Promise<{ left: number }> {
    const rule = await this.get(id);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const left = await deleteRuleIn(tx, this.clock, actor, rule, at);
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "group.rule.delete",
          { type: "group", id: rule.toGroupId, display: rule.toGroupId },
          {
            ruleId: rule.id,
            fromGroupId: rule.fromGroupId,
            left,
          },
        ),
      );
      return { left };
    });
  }

  private async group(id: string, path: string): Promise<Group> {
    const g = await this.store.groups.get(id);
    if (!g)
      throw validationFailed("the membership rule is invalid", [
        { path, message: `group ${JSON.stringify(id)} does not exist` },
      ]);
    return g;
  }
}

/** One change per group (an import reports one row at a time), so each group's rules are read once. */
function coalesce(changes: readonly MembershipChange[]): MembershipChange[] {
  const byGroup = new Map<string, { added: Set<string>; removed: Set<string> }>();
  for (const c of changes) {
    const entry = byGroup.get(c.groupId) ?? { added: new Set<string>(), removed: new Set<string>() };
    for (const id of c.added ?? []) entry.added.add(id);
    for (const id of c.removed ?? []) entry.removed.add(id);
    byGroup.set(c.groupId, entry);
  }
  return [...byGroup]
    .filter(([, e]) => e.added.size + e.removed.size > 0)
    .map(([groupId, e]) => ({ groupId, added: [...e.added], removed: [...e.removed] }));
}

/** Whether rules already lead from `start` to `goal` (directly or through a chain). */
function reaches(rules: readonly MembershipRule[], start: string, goal: string): boolean {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const at = stack.pop() as string;
    if (at === goal) return true;
    if (seen.has(at)) continue;
    seen.add(at);
    for (const r of rules) if (r.fromGroupId === at) stack.push(r.toGroupId);
  }
  return false;
}
