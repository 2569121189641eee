import type { Store } from "../../store/contract.js";
import type { OutboxItem } from "../../store/contract-outbox.js";
import { allPages } from "../../store/pages.js";
import type { Actor } from "../audit.js";
import { type Clock, systemClock } from "../ids.js";
import { PROVISIONING_APP_TYPES } from "./outbox.js";
import type { ProvisioningService } from "./service.js";

export interface WorkerRun {
  claimed: number;
  completed: number;
  /** Rows put back for a later attempt (target down, token refused, throttled past the retries). */
  released: number;
  apps: Array<{ slug: string; changes: number; failed: number; error?: string }>;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Drains the provisioning outbox: claims due rows (leased, so a crashed worker's rows come back and two
 * workers never share one), works out which apps they concern, and reconciles each of those apps once per
 * batch — many changes to one app cost one sync. When an app cannot be brought in line (a refused token, a
 * target that keeps failing) its rows go back with a growing delay: the work is kept, never dropped.
 */
export class ProvisioningWorker {
  constructor(
    private readonly store: Store,
    private readonly provisioning: ProvisioningService,
    private readonly workerId: string,
    private readonly clock: Clock = systemClock,
    private readonly options: { batch?: number; leaseMs?: number } = {},
  ) {}

  /** `signal`: the node is stopping — claim nothing more, and the syncs under way send nothing more. */
  async runOnce(actor: Actor, signal?: AbortSignal): Promise<WorkerRun> {
    if (signal?.aborted) return { claimed: 0, completed: 0, released: 0, apps: [] };
    const now = this.clock.now();
    const lease = new Date(now.getTime() + (this.options.leaseMs ?? 5 * 60_000)).toISOString();
    const items = await this.store.outbox.claim(this.workerId, now.toISOString(), lease, this.options.batch ?? 500);
    const run: WorkerRun = { claimed: items.length, completed: 0, released: 0, apps: [] };
    if (items.length === 0) return run;

    const failedApps = new Map<string, string>();
    for (const app of await this.appsConcerned(items)) {
      try {
        const report = await this.sync(actor, app.id, items, signal);
        const errors = report.results.filter((r) => r.status === "error");
        run.apps.push({ slug: app.slug, changes: report.changes, failed: errors.length });
        // Objects refused for their data (a missing surname) are final until the data changes; a refused
        // token or a target that stayed down is not, so the rows wait and try again.
        const transient = errors.find(
          (r) => r.error?.retryable || r.error?.httpStatus === 401 || r.error?.httpStatus === 403,
        );
        if (transient) failedApps.set(app.id, transient.error?.message ?? "failed");
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        run.apps.push({ slug: app.slug, changes: 0, failed: 0, error: message });
        failedApps.set(app.id, message);
      }
    }

    const done: string[] = [];
    for (const item of items) {
      const error = item.appId ? failedApps.get(item.appId) : [...failedApps.values()][0];
      if (!error) {
        done.push(item.id);
        continue;
      }
      // A node stopping is no fault of the rows: another node may take them at once.
      const delay = signal?.aborted ? 0 : Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** Math.min(item.attempts, 10));
      await this.store.outbox.release(this.workerId, item.id, error, new Date(now.getTime() + delay).toISOString());
      run.released++;
    }
    run.completed = await this.store.outbox.complete(this.workerId, done);
    return run;
  }

  /**
   * A change to the app itself (its target, its pushed groups) needs a full reconciliation; changes to people
   * and groups need only what they concern — the records say the rest is already in place.
   */
  private sync(actor: Actor, appId: string, items: OutboxItem[], signal: AbortSignal | undefined) {
    const mine = items.filter((i) => i.appId === null || i.appId === appId);
    if (mine.some((i) => i.kind === "app" || i.kind === "directory"))
      return this.provisioning.sync(actor, appId, signal ? { signal } : {});
    const userIds = new Set<string>();
    const groupIds = new Set<string>();
    for (const item of mine) {
      if (item.kind === "user" || item.kind === "assignment") userIds.add(item.objectId);
      else if (item.kind === "group") groupIds.add(item.objectId);
    }
    return this.provisioning.syncChanges(actor, appId, { userIds, groupIds }, signal);
  }

  /** Rows naming an app concern that app; the others (a person or group changed) concern every provisioning app. */
  private async appsConcerned(items: OutboxItem[]) {
    const named = new Set(items.flatMap((i) => (i.appId ? [i.appId] : [])));
    const everyApp = items.some((i) => i.appId === null);
    const apps = [];
    for await (const a of allPages((after) => this.store.apps.list({}, { limit: 200, after }))) {
      const provisions = (PROVISIONING_APP_TYPES as readonly string[]).includes(a.type);
      // A disabled app sends nothing; its rows are let go, since enabling it queues a full reconciliation.
      if (provisions && a.status === "ACTIVE" && a.provisioningEnabled && (everyApp || named.has(a.id))) apps.push(a);
    }
    return apps;
  }
}
