import type { Store } from "../../store/contract.js";
import type { App } from "../apps/model.js";
import { type ScimAppSettings, validateScimAppSettings } from "../apps/scim-app-settings.js";
import { type Actor, appTarget, logEvent } from "../audit.js";
import type { Clock } from "../ids.js";
import type { ScimClient } from "../scim/client.js";
import { ScimError } from "../scim/errors.js";
import type { ScimOperations } from "../scim/operations.js";
import { type DesiredState, type Plan, type PlanOp, planReconcile } from "../scim/plan.js";
import { formatPlan } from "../scim/plan-text.js";
import { applyPlan, type ObjectResult } from "../scim/reconcile.js";
import { type ChangeScope, planChange } from "./change-plan.js";
import { desiredState } from "./desired-state.js";
import { recordedMemberships, recordSync, recordSyncFailure } from "./record.js";
import type { ScimTargets } from "./targets.js";

export interface SyncReport {
  dryRun: boolean;
  /** One line per planned request, as `--dry-run` prints it. */
  plan: string[];
  /** Planned operations; 0 means the target already matches. */
  changes: number;
  results: ObjectResult[];
  requests: number;
  /** What the sync was about: active people and pushed groups in scope (the whole app for a full sync). */
  scope: { people: number; groups: number };
  /** full: the target was read whole; change: only what the outbox's changes needed (see planChange). */
  mode: "full" | "change";
  /**
   * Full syncs: whether each listing of the target was proven complete. `incomplete` means the target's paging
   * could not show the whole collection (a cursor it did not honour, AWS's old 50-result cap, an ignored
   * startIndex): nothing was taken as absent from it — every object missing from it was looked up first.
   */
  listings?: { users: ListingState; groups: ListingState };
}

export type ListingState = "complete" | "incomplete";

export type SyncTrigger = "schedule" | "change";

export interface SyncOptions {
  dryRun?: boolean;
  trigger?: SyncTrigger;
  /** Aborted when the node stops: the requests not yet sent fail at once as retryable (see ScimTargets.connect). */
  signal?: AbortSignal;
}

/** The System Log entry of one sync of an app, whoever ran it and however it ended. */
export const syncLogEvent = (
  clock: Clock,
  actor: Actor,
  app: App,
  details: Record<string, unknown>,
  outcome: "SUCCESS" | "FAILURE",
) => logEvent(clock, actor, "application.provisioning.sync", appTarget(app), details, outcome);

interface Connection {
  client: ScimClient;
  ops: ScimOperations;
}

/** Runs syncs of one provisioning app: plan (full or scoped to a change), apply, record, log. */
export class SyncRunner {
  constructor(
    private readonly store: Store,
    private readonly targets: ScimTargets,
    private readonly clock: Clock,
  ) {}

  /** Reads the whole target, diffs it with the directory and applies the fewest changes (or only plans them). */
  async full(actor: Actor, app: App, opts: SyncOptions = {}): Promise<SyncReport> {
    const settings = validateScimAppSettings(app.settings);
    const conn = await this.targets.connect(app, undefined, opts.signal);
    const startedAt = this.clock.now().toISOString();
    const records = await this.store.provisioned.listForApp(app.id);
    const desired = await desiredState(this.store, app, settings, conn.ops.profile, records);
    let planned: Plan;
    try {
      planned = await planReconcile(conn.ops, desired, recordedMemberships(records));
    } catch (err) {
      await this.failed(
        app,
        conn,
        desired,
        err,
        opts.dryRun ? { record: false } : { record: true, fullSince: startedAt },
      );
      throw err;
    }
    return this.apply(actor, app, settings, conn, desired, planned, { ...opts, fullSince: startedAt });
  }

  /**
   * Brings the target in line with what changed, reading only the objects concerned; falls back to a full
   * sync when no full sync has finished yet, when reading the whole target costs no more, or when the
   * target turns out to differ from the records (an object recorded there is gone).
   */
  async changes(actor: Actor, app: App, changed: ChangeScope, signal?: AbortSignal): Promise<SyncReport> {
    const asChange = { trigger: "change", ...(signal ? { signal } : {}) } as const;
    const last = await this.store.fullSyncs.get(app.id);
    if (!last?.finishedAt || last.error) return this.full(actor, app, asChange);
    const settings = validateScimAppSettings(app.settings);
    const conn = await this.targets.connect(app, undefined, signal);
    const records = await this.store.provisioned.listForApp(app.id);
    const desired = await desiredState(this.store, app, settings, conn.ops.profile, records);
    let scoped: Awaited<ReturnType<typeof planChange>>;
    try {
      scoped = await planChange(conn.ops, desired, records, changed);
    } catch (err) {
      await this.failed(app, conn, desired, err, { record: true });
      throw err;
    }
    if (!scoped) return this.full(actor, app, asChange);
    const report = await this.apply(actor, app, settings, conn, scoped.desired, scoped.plan, { trigger: "change" });
    if (!report.results.some((r) => r.status === "error" && r.error?.httpStatus === 404)) return report;
    const repaired = await this.full(actor, app, asChange);
    return { ...repaired, requests: report.requests + repaired.requests };
  }

  /** The target could not even be read: every object shows why, and the caller retries later. */
  private async failed(
    app: App,
    conn: Connection,
    desired: DesiredState,
    err: unknown,
    opts: { record: boolean; fullSince?: string },
  ) {
    this.targets.account(conn.client.stats);
    if (!opts.record || !(err instanceof ScimError)) return;
    const at = this.clock.now().toISOString();
    await this.store.transaction((tx) => recordSyncFailure(tx, app.id, desired, err.message, at));
    if (opts.fullSince) await this.store.fullSyncs.finish(app.id, opts.fullSince, at, err.message);
  }

  private async apply(
    actor: Actor,
    app: App,
    settings: ScimAppSettings,
    conn: Connection,
    desired: DesiredState,
    planned: Plan,
    opts: SyncOptions & { fullSince?: string },
  ): Promise<SyncReport> {
    const plan = { ...planned, ops: planned.ops.filter((op) => allowed(settings.features, op.kind)) };
    const dryRun = opts.dryRun ?? false;
    let results: ObjectResult[] = [];
    if (!dryRun) {
      const outcome = await applyPlan(conn.ops, plan, { beforeWrite: (op) => this.markInDoubt(app.id, op) });
      results = outcome.results;
      const at = this.clock.now().toISOString();
      await this.store.transaction(async (tx) => {
        await recordSync(tx, app.id, desired, plan, outcome, at);
        // Any full sync counts for the schedule: a reconciliation the outbox just ran needs no scheduled twin. One
        // cut short by the node stopping says so, so the next directory change runs a full sync again.
        const stopped = opts.signal?.aborted ? "stopped: the node shut down before the sync ended" : null;
        if (opts.fullSince) await tx.fullSyncs.finish(app.id, opts.fullSince, at, stopped);
      });
    }
    const report: SyncReport = {
      dryRun,
      plan: formatPlan(plan),
      changes: plan.ops.length,
      results,
      requests: this.targets.account(conn.client.stats),
      mode: opts.fullSince ? "full" : "change",
      scope: { people: desired.users.filter((u) => u.active).length, groups: desired.groups.length },
    };
    const state = (complete: boolean): ListingState => (complete ? "complete" : "incomplete");
    if (opts.fullSince) report.listings = { users: state(plan.complete.users), groups: state(plan.complete.groups) };
    const incomplete = Object.entries(report.listings ?? {}).flatMap(([k, v]) => (v === "incomplete" ? [k] : []));
    if (!dryRun) {
      const failed = results.filter((r) => r.status === "error").length;
      await this.store.log.append(
        syncLogEvent(
          this.clock,
          actor,
          app,
          {
            changes: plan.ops.length,
            failed,
            requests: report.requests,
            mode: report.mode,
            ...(incomplete.length ? { incompleteListings: incomplete } : {}),
            ...(opts.trigger ? { trigger: opts.trigger } : {}),
          },
          failed ? "FAILURE" : "SUCCESS",
        ),
      );
    }
    return report;
  }

  /**
   * Written before the request, so a sync that dies between the two leaves a trace: the next one re-sends
   * (memberships) or re-reads (a user) instead of trusting a record the dead sync never updated.
   */
  private async markInDoubt(appId: string, op: PlanOp): Promise<void> {
    if (op.kind === "addMembers" || op.kind === "removeMembers") {
      const members = op.members.flatMap((m) => (m.externalId ? [m.externalId] : []));
      await this.store.transaction((tx) => tx.provisioned.markInDoubt(appId, "group", op.externalId, members));
    } else if (op.kind === "updateUser" || op.kind === "deactivateUser" || op.kind === "reactivateUser") {
      await this.store.transaction((tx) => tx.provisioned.markInDoubt(appId, "user", op.externalId, []));
    }
  }
}

function allowed(
  features: { createUsers: boolean; updateUsers: boolean; deactivateUsers: boolean },
  kind: string,
): boolean {
  if (kind === "createUser") return features.createUsers;
  if (kind === "updateUser") return features.updateUsers;
  // Okta's "Deactivate Users" covers both directions.
  if (kind === "deactivateUser" || kind === "reactivateUser") return features.deactivateUsers;
  return true;
}
