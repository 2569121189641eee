import type { Repos } from "../../store/contract.js";
import { UniqueViolation } from "../../store/contract.js";
import { createAppWithKey } from "../apps/create.js";
import type { App } from "../apps/model.js";
import type { AppService } from "../apps/service.js";
import type { SigningKeyService } from "../apps/signing-keys.js";
import { type Actor, logEvent } from "../audit.js";
import type { Group } from "../directory/model.js";
import { assertGroup } from "../directory/validate.js";
import { DomainError } from "../errors.js";
import { type Clock, newId } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import type { MigrationStep, StepContext, StepKind } from "./journal.js";
import type { Plan } from "./plan-model.js";

/** The lead's membership rules ("members of G are members of R"), injected: created idempotently per pair. */
export interface MembershipRules {
  createRule(actor: Actor, fromGroupId: string, toGroupId: string): Promise<{ id: string }>;
  removeRule(actor: Actor, id: string): Promise<void>;
}

export interface DirectoryStepServices {
  apps: AppService;
  signingKeys: SigningKeyService;
  publicUrl: string;
  rules?: MembershipRules | undefined;
}

/** The directory half of a plan as ordered steps: groups, members, rules, the target app, its assignments. */
export function directorySteps(plan: Plan): MigrationStep[] {
  const steps: MigrationStep[] = [];
  for (const g of plan.roleGroups)
    steps.push({
      key: `group:${g.name}`,
      kind: "create-group",
      label: `create group ${g.name}`,
      params: { name: g.name, source: g.source, roleArn: g.roleArn },
    });
  for (const g of plan.roleGroups)
    if (g.members.length)
      steps.push({
        key: `members:${g.name}`,
        kind: "add-members",
        label: `add ${g.members.length} member(s) to ${g.name}`,
        params: { group: g.name, userIds: g.members },
      });
  for (const r of plan.rules)
    steps.push({
      key: `rule:${r.fromGroupId}:${r.toGroupName}`,
      kind: "create-rule",
      label: `rule: members of ${r.fromGroupName} are members of ${r.toGroupName}`,
      params: { ...r },
    });
  steps.push({
    key: `app:${plan.targetApp.slug}`,
    kind: "create-app",
    label: `create app ${plan.targetApp.slug}`,
    params: { ...plan.targetApp },
  });
  // Group assignments have dense priorities per app; on the new app they are simply 0..n-1 in plan order.
  for (const [priority, name] of plan.targetAssignments.entries())
    steps.push({
      key: `assign:${name}`,
      kind: "assign-group",
      label: `assign ${name} to ${plan.targetApp.slug}`,
      params: { group: name, app: plan.targetApp.slug, priority },
    });
  return steps;
}

const groupTarget = (g: Pick<Group, "id" | "name" | "source">) => ({
  type: "group",
  id: g.id,
  display: `${g.source}/${g.name}`,
});
const appTarget = (a: Pick<App, "id" | "slug">) => ({ type: "app", id: a.id, display: a.slug });
const now = (clock: Clock) => clock.now().toISOString();

function groupIdOf(ctx: StepContext, name: string): string {
  const id = ctx.results.get(`group:${name}`)?.groupId;
  if (typeof id !== "string") throw new Error(`group ${name} was not created by this run`);
  return id;
}

function appIdOf(ctx: StepContext, slug: string): string {
  const id = ctx.results.get(`app:${slug}`)?.appId;
  if (typeof id !== "string") throw new Error(`app ${slug} was not created by this run`);
  return id;
}

const log = (
  ctx: StepContext,
  tx: Repos,
  action: string,
  target: { type: string; id: string; display: string },
  summary: Record<string, unknown>,
) => tx.log.append(logEvent(ctx.clock, ctx.actor, action, target, { ...summary, migration: true }));

const createGroup: StepKind = {
  async do(ctx, step, commit) {
    const p = step.params as { name: string; source: string; roleArn: string };
    const g = { name: p.name, source: p.source, description: `AWS role ${p.roleArn}`, externalId: null };
    assertGroup(g);
    try {
      await ctx.store.transaction(async (tx) => {
        const group = await tx.groups.insert({ id: newId("grp"), ...g, at: now(ctx.clock) });
        await log(ctx, tx, "group.lifecycle.create", groupTarget(group), { after: g });
        await commit({ groupId: group.id }, tx);
      });
    } catch (err) {
      if (err instanceof UniqueViolation)
        throw new DomainError("conflict", `source ${p.source} got a group named ${p.name} since the plan; plan again`, {
          step: step.key,
        });
      throw err;
    }
  },
  async undo(ctx, _step, saved, commit) {
    await ctx.store.transaction(async (tx) => {
      const group = await tx.groups.get(String(saved.groupId));
      if (group) {
        await tx.groups.delete(group.id);
        await enqueueChange(tx, { kind: "group", objectId: group.id }, now(ctx.clock));
        await log(ctx, tx, "group.lifecycle.delete", groupTarget(group), { before: group });
      }
      await commit({}, tx);
    });
  },
};

const addMembers: StepKind = {
  async do(ctx, step, commit) {
    const p = step.params as { group: string; userIds: string[] };
    const groupId = groupIdOf(ctx, p.group);
    await ctx.store.transaction(async (tx) => {
      const added: string[] = [];
      const at = now(ctx.clock);
      for (const userId of p.userIds) {
        if (!(await tx.users.get(userId))) continue;
        if (!(await tx.memberships.add(groupId, userId, at))) continue;
        added.push(userId);
        await log(
          ctx,
          tx,
          "group.user_membership.add",
          { type: "group", id: groupId, display: p.group },
          { user: { id: userId } },
        );
      }
      if (added.length) await enqueueChange(tx, { kind: "membership", objectId: groupId }, at);
      await commit({ added }, tx);
    });
  },
  async undo(ctx, step, saved, commit) {
    const p = step.params as { group: string };
    const groupId = groupIdOf(ctx, p.group);
    await ctx.store.transaction(async (tx) => {
      const at = now(ctx.clock);
      for (const userId of (saved.added as string[]) ?? []) {
        if (await tx.memberships.remove(groupId, userId, at))
          await log(
            ctx,
            tx,
            "group.user_membership.remove",
            { type: "group", id: groupId, display: p.group },
            { user: { id: userId } },
          );
      }
      await enqueueChange(tx, { kind: "membership", objectId: groupId }, at);
      await commit({}, tx);
    });
  },
};

function rulesOf(services: DirectoryStepServices): MembershipRules {
  if (!services.rules)
    throw new DomainError("conflict", "membership rules are not available in this build; plan with --static instead", {
      reason: "no_rules",
    });
  return services.rules;
}

export function directoryStepKinds(services: DirectoryStepServices): Record<string, StepKind> {
  return {
    "create-group": createGroup,
    "add-members": addMembers,
    "create-rule": {
      async do(ctx, step, commit) {
        const p = step.params as { fromGroupId: string; toGroupName: string };
        const rule = await rulesOf(services).createRule(ctx.actor, p.fromGroupId, groupIdOf(ctx, p.toGroupName));
        await commit({ ruleId: rule.id });
      },
      async undo(ctx, _step, saved, commit) {
        await rulesOf(services).removeRule(ctx.actor, String(saved.ruleId));
        await commit({});
      },
    },
    "create-app": {
      async do(ctx, step, commit) {
        const p = step.params as unknown as Plan["targetApp"];
        const input = { slug: p.slug, type: "aws-account-federation" as const, label: p.label, settings: p.settings };
        await createAppWithKey(services, ctx.actor, input, 2048, (tx, app) => commit({ appId: app.id }, tx));
      },
      async undo(ctx, _step, saved, commit) {
        const app = await ctx.store.apps.get(String(saved.appId));
        if (app) {
          await services.apps.setStatus(ctx.actor, app.id, "INACTIVE");
          await services.apps.delete(ctx.actor, app.id);
        }
        await commit({});
      },
    },
    "assign-group": {
      async do(ctx, step, commit) {
        const p = step.params as { group: string; app: string; priority: number };
        const [appId, groupId] = [appIdOf(ctx, p.app), groupIdOf(ctx, p.group)];
        await ctx.store.transaction(async (tx) => {
          const at = now(ctx.clock);
          await tx.assignments.upsert({
            appId,
            principalType: "group",
            principalId: groupId,
            profile: {},
            priority: p.priority,
            at,
          });
          await log(ctx, tx, "application.user_membership.add", appTarget({ id: appId, slug: p.app }), {
            principalType: "group",
            principalId: groupId,
            profile: {},
          });
          await enqueueChange(tx, { kind: "assignment", objectId: groupId, appId }, at);
          await commit({}, tx);
        });
      },
      async undo(ctx, step, _saved, commit) {
        const p = step.params as { group: string; app: string };
        const [appId, groupId] = [appIdOf(ctx, p.app), groupIdOf(ctx, p.group)];
        await ctx.store.transaction(async (tx) => {
          if (await tx.assignments.remove(appId, "group", groupId)) {
            await log(ctx, tx, "application.user_membership.remove", appTarget({ id: appId, slug: p.app }), {
              principalType: "group",
              principalId: groupId,
            });
            await enqueueChange(tx, { kind: "assignment", objectId: groupId, appId }, now(ctx.clock));
          }
          await commit({}, tx);
        });
      },
    },
  };
}
