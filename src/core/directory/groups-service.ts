import type { GroupFilter, Page, PageRequest, Store } from "../../store/contract.js";
import { UniqueViolation } from "../../store/contract.js";
import { type Actor, diff, logEvent } from "../audit.js";
import { DomainError, notFound } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import { deleteRuleIn, followMembershipRules } from "./membership-rules.js";
import type { Group, User } from "./model.js";
import { versionMismatch } from "./users-service.js";
import { assertGroup } from "./validate.js";

export interface CreateGroupInput {
  name: string;
  description?: string | null | undefined;
  source?: string | undefined;
  externalId?: string | null | undefined;
}

export interface GroupPatch {
  name?: string | undefined;
  description?: string | null | undefined;
  externalId?: string | null | undefined;
}

const groupTarget = (g: Group) => ({ type: "group", id: g.id, display: `${g.source}/${g.name}` });

function uniqueConflict(err: UniqueViolation, g: { name: string; source: string; externalId: string | null }) {
  if (err.constraint === "group_external_id") {
    return new DomainError("conflict", `source ${g.source} already has a group with external id ${g.externalId}`, {
      field: "/externalId",
    });
  }
  return new DomainError("conflict", `source ${g.source} already has a group named ${JSON.stringify(g.name)}`, {
    field: "/profile/name",
    source: g.source,
  });
}

/** Groups and memberships; names are unique per source, compared case-insensitively. */
export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(actor: Actor, input: CreateGroupInput): Promise<Group> {
    const g = {
      name: input.name,
      description: input.description ?? null,
      source: input.source ?? "local",
      externalId: input.externalId ?? null,
    };
    assertGroup(g);
    const at = this.clock.now().toISOString();
    try {
      return await this.store.transaction(async (tx) => {
        const group = await tx.groups.insert({ id: newId("grp"), ...g, at });
        await tx.log.append(logEvent(this.clock, actor, "group.lifecycle.create", groupTarget(group), { after: g }));
        return group;
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw uniqueConflict(err, g);
      throw err;
    }
  }

  async get(id: string): Promise<Group> {
    const group = await this.store.groups.get(id);
    if (!group) throw notFound("group", id);
    return group;
  }

  list(filter: GroupFilter, page: PageRequest): Promise<Page<Group>> {
    return this.store.groups.list(filter, page);
  }

  async update(actor: Actor, id: string, patch: GroupPatch, expectedVersion?: number): Promise<Group> {
    const current = await this.get(id);
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMismatch(current, expectedVersion);
    const next = {
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      source: current.source,
      externalId: patch.externalId === undefined ? current.externalId : patch.externalId,
    };
    assertGroup(next);
    const at = this.clock.now().toISOString();
    try {
      return await this.store.transaction(async (tx) => {
        const updated = await tx.groups.update(id, { ...next, at }, current.version);
        if (!updated) throw versionMismatch(current, current.version);
        const before = { name: current.name, description: current.description, externalId: current.externalId };
        const after = { name: next.name, description: next.description, externalId: next.externalId };
        await tx.log.append(
          logEvent(this.clock, actor, "group.profile.update", groupTarget(updated), diff(before, after)),
        );
        await enqueueChange(tx, { kind: "group", objectId: updated.id }, at);
        return updated;
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw uniqueConflict(err, next);
      throw err;
    }
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const current = await this.get(id);
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      // The memberships its rules hold elsewhere go with the group; the cascade alone would leave them behind.
      for (const rule of await tx.membershipRules.fromGroups([id])) await deleteRuleIn(tx, this.clock, actor, rule, at);
      if (!(await tx.groups.delete(id))) throw notFound("group", id);
      await enqueueChange(tx, { kind: "group", objectId: id }, at);
      await tx.log.append(
        logEvent(this.clock, actor, "group.lifecycle.delete", groupTarget(current), { before: current }),
      );
    });
  }

  members(id: string, page: PageRequest): Promise<Page<User>> {
    return this.get(id).then((g) => this.store.memberships.membersOfGroup(g.id, page));
  }

  /** Idempotent: adding an existing member changes nothing and logs nothing. */
  async addMember(actor: Actor, groupId: string, userId: string): Promise<{ added: boolean }> {
    const group = await this.get(groupId);
    const user = (await this.store.users.get(userId)) ?? (await this.store.users.getByLogin(userId));
    if (!user) throw notFound("user", userId);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const added = await tx.memberships.add(group.id, user.id, at);
      if (added) {
        await tx.log.append(
          logEvent(this.clock, actor, "group.user_membership.add", groupTarget(group), {
            user: { id: user.id, login: user.profile.login },
          }),
        );
        await enqueueChange(tx, { kind: "membership", objectId: group.id }, at);
        await followMembershipRules(tx, this.clock, actor, [{ groupId: group.id, added: [user.id] }], at);
      }
      return { added };
    });
  }

  async removeMember(actor: Actor, groupId: string, userId: string): Promise<{ removed: boolean }> {
    const group = await this.get(groupId);
    const user = (await this.store.users.get(userId)) ?? (await this.store.users.getByLogin(userId));
    if (!user) throw notFound("user", userId);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const holders = await tx.membershipRules.holders(group.id, user.id);
      if (holders.length) {
        throw new DomainError(
          "conflict",
          `${user.profile.login} is a member of ${group.name} through membership rule(s) ${holders.map((r) => r.id).join(", ")}: remove them from the rule's source group, or delete the rule`,
          { rules: holders.map((r) => ({ id: r.id, fromGroupId: r.fromGroupId })) },
        );
      }
      const removed = await tx.memberships.remove(group.id, user.id, at);
      if (!removed) throw notFound("membership", `${user.profile.login} in ${group.name}`);
      await tx.log.append(
        logEvent(this.clock, actor, "group.user_membership.remove", groupTarget(group), {
          user: { id: user.id, login: user.profile.login },
        }),
      );
      await enqueueChange(tx, { kind: "membership", objectId: group.id }, at);
      await followMembershipRules(tx, this.clock, actor, [{ groupId: group.id, removed: [user.id] }], at);
      return { removed };
    });
  }
}
