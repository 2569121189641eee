import type { Store } from "../../store/contract.js";
import { allPages } from "../../store/pages.js";
import type { App } from "../apps/model.js";
import { validateScimAppSettings } from "../apps/scim-app-settings.js";
import type { Actor } from "../audit.js";
import { type Clock, systemClock } from "../ids.js";
import { PROVISIONING_APP_TYPES } from "./outbox.js";
import type { ProvisioningService } from "./service.js";
import { syncLogEvent } from "./sync-run.js";

/** Longer than a full sync of a large directory at AWS's pace; a crashed node's claim comes back after it. */
const LEASE_MS = 30 * 60_000;

export interface ScheduledSync {
  app: string;
  changes?: number;
  failed?: number;
  requests?: number;
  error?: string;
}

/**
 * Scheduled full reconciliation: repairs what changed on the target itself (a person deleted in the AWS
 * console), which no directory change would ever send to the outbox.
 *
 * It calls the sync directly under a per-app lease rather than enqueueing outbox rows: a target that is down
 * would otherwise collect one row per interval, each retrying on its own back-off, while here a failed run
 * simply waits for the next interval (directory changes keep their own outbox retries). The lease is one
 * conditional statement, so however many nodes run this check, one of them reconciles an app per interval.
 */
export class FullSyncSchedule {
  constructor(
    private readonly store: Store,
    private readonly provisioning: ProvisioningService,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Reconciles every provisioning app that is due; never throws for one app's failure. Once `signal` is aborted
   * (the node is stopping) it claims no further app, and the sync under way sends nothing more and ends.
   */
  async runDue(actor: Actor, signal?: AbortSignal): Promise<ScheduledSync[]> {
    const out: ScheduledSync[] = [];
    for await (const app of allPages((after) => this.store.apps.list({}, { limit: 200, after }))) {
      if (signal?.aborted) break;
      const interval = await this.dueInterval(app);
      if (interval === null) continue;
      const now = this.clock.now();
      const notBefore = new Date(now.getTime() - interval * 60_000).toISOString();
      const lease = new Date(now.getTime() + LEASE_MS).toISOString();
      if (!(await this.store.fullSyncs.claim(app.id, now.toISOString(), lease, notBefore))) continue;
      out.push(await this.run(actor, app, now.toISOString(), signal));
    }
    return out;
  }

  /** The app's interval in minutes when it may be due: active, provisioning set up and enabled, schedule on. */
  private async dueInterval(app: App): Promise<number | null> {
    if (!(PROVISIONING_APP_TYPES as readonly string[]).includes(app.type) || app.status !== "ACTIVE") return null;
    if (!app.provisioningEnabled) return null;
    let interval: number;
    try {
      interval = validateScimAppSettings(app.settings).fullSyncIntervalMinutes;
    } catch {
      return null; // settings saved before a rule tightened: the admin sees the error on the next edit
    }
    if (interval === 0 || !(await this.provisioning.isConfigured(app))) return null;
    return interval;
  }

  private async run(actor: Actor, app: App, startedAt: string, signal?: AbortSignal): Promise<ScheduledSync> {
    try {
      const report = await this.provisioning.sync(actor, app.id, {
        trigger: "schedule",
        ...(signal ? { signal } : {}),
      });
      const failed = report.results.filter((r) => r.status === "error").length;
      return { app: app.slug, changes: report.changes, failed, requests: report.requests };
    } catch (err) {
      // The sync already marked its objects in error when the target could not be read; here the run is
      // closed (lease released, error kept) and logged, so the next interval tries again.
      const error = err instanceof Error ? err.message : String(err);
      try {
        const at = this.clock.now().toISOString();
        await this.store.fullSyncs.finish(app.id, startedAt, at, error);
        await this.store.log.append(
          syncLogEvent(this.clock, actor, app, { trigger: "schedule", error: error.slice(0, 2000) }, "FAILURE"),
        );
      } catch {
        // The store is failing too: the lease runs out and the scheduler's log line carries the error.
      }
      return { app: app.slug, error };
    }
  }
}
