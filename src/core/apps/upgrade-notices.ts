import type { Store } from "../../store/contract.js";
import { allPages } from "../../store/pages.js";
import { type Actor, appTarget, logEvent, systemActor } from "../audit.js";
import { DomainError, notFound } from "../errors.js";
import type { Clock } from "../ids.js";
import { resolveRoles } from "../rolemap/resolve.js";
import type { ResolveRolesInput } from "../rolemap/types.js";
import { entitlementInput } from "./entitlements.js";
import type { App, AppUpgradeNotice, UpgradeNoticeDetails } from "./model.js";

const pairsOf = (input: ResolveRolesInput) =>
  new Set(resolveRoles(input).roles.map((r) => `${r.providerArn},${r.roleArn}`));

/**
 * Before this release a person assigned only through groups was treated as if they had an empty assignment of
 * their own: their groups' roles counted only with Join all roles on. Resolving the same input with
 * `userAssigned: true` is exactly that rule, so the difference is computed with the one resolver.
 */
async function assignmentRuleChanges(store: Store, app: App): Promise<UpgradeNoticeDetails> {
  const people: UpgradeNoticeDetails["people"] = [];
  const seen = new Set<string>();
  for (const a of await store.assignments.listForApp(app.id)) {
    if (a.principalType !== "group") continue;
    for await (const user of allPages((after) =>
      store.memberships.membersOfGroup(a.principalId, { limit: 1000, after }),
    )) {
      if (seen.has(user.id)) continue;
      seen.add(user.id);
      const { input } = await entitlementInput(store, app, user);
      const now = pairsOf(input);
      const before = pairsOf({ ...input, userAssigned: true });
      const gained = [...now].filter((p) => !before.has(p)).sort();
      const lost = [...before].filter((p) => !now.has(p)).sort();
      if (gained.length || lost.length) people.push({ userId: user.id, login: user.profile.login, gained, lost });
    }
  }
  people.sort((x, y) => (x.login < y.login ? -1 : x.login > y.login ? 1 : 0));
  const summary =
    people.length === 0
      ? "the new group-assignment rule changes nobody's roles on this app"
      : `the new group-assignment rule changes the roles of ${people.length} person(s) assigned only through groups`;
  return { summary, people };
}

/**
 * Works out, once per upgraded app, who the changed assignment rule affects; writes one System Log entry per
 * app and keeps the notice for `apps lint` until acknowledged. Cheap when nothing is pending (one query), so
 * every runtime start calls it; when several nodes start together only one records each notice.
 */
export async function computePendingUpgradeNotices(store: Store, clock: Clock): Promise<number> {
  let recorded = 0;
  for (const notice of await store.upgradeNotices.listUncomputed()) {
    const app = await store.apps.get(notice.appId);
    const details: UpgradeNoticeDetails =
      app && app.type === "aws-account-federation"
        ? await assignmentRuleChanges(store, app)
        : { summary: "the app no longer signs into AWS roles", people: [] };
    await store.transaction(async (tx) => {
      if (!(await tx.upgradeNotices.complete(notice.id, details))) return;
      recorded++;
      await tx.log.append(
        logEvent(
          clock,
          systemActor,
          "application.upgrade.assignment_rule",
          appTarget({ id: notice.appId, slug: app?.slug ?? notice.appId }),
          { noticeId: notice.id, ...details },
        ),
      );
    });
  }
  return recorded;
}

export async function acknowledgeUpgradeNotice(
  store: Store,
  clock: Clock,
  actor: Actor,
  app: App,
  noticeId: string,
): Promise<AppUpgradeNotice> {
  const notice = await store.upgradeNotices.get(noticeId);
  if (!notice || notice.appId !== app.id) throw notFound("upgrade notice", noticeId);
  if (notice.acknowledged) {
    throw new DomainError("conflict", `upgrade notice ${noticeId} was already acknowledged`, {
      acknowledged: notice.acknowledged,
    });
  }
  const at = clock.now().toISOString();
  await store.transaction(async (tx) => {
    await tx.upgradeNotices.acknowledge(noticeId, actor.display, at);
    await tx.log.append(logEvent(clock, actor, "application.upgrade.acknowledge", appTarget(app), { noticeId }));
  });
  const done = await store.upgradeNotices.get(noticeId);
  if (!done) throw notFound("upgrade notice", noticeId);
  return done;
}
