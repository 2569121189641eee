import { hostname } from "node:os";
import { systemActor } from "../core/audit.js";
import { newSecret } from "../core/crypto/tokens.js";
import { FullSyncSchedule } from "../core/provisioning/schedule.js";
import { ProvisioningWorker } from "../core/provisioning/worker.js";
import type { Runtime } from "../runtime.js";

/** Runs `job` every `everyMs`, never two at once; a pending run does not keep a stopping process alive. */
function every(everyMs: number, job: () => Promise<void>) {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= job().finally(() => {
      running = null;
    });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Periodic work of a server node: legacy API mode's scheduled "Refresh Application Data", draining the
 * provisioning outbox, and provisioning apps' scheduled full reconciliation. Every node runs all three; the
 * store's leases let exactly one node refresh or reconcile a given app per interval, and outbox claims
 * (FOR UPDATE SKIP LOCKED on PostgreSQL) never give a row to two nodes.
 */
export function startScheduler(
  runtime: Runtime,
  opts: {
    refreshEveryMs?: number;
    provisioningEveryMs?: number;
    fullSyncEveryMs?: number;
    sourcesEveryMs?: number;
  } = {},
): { stop(): Promise<void> } {
  const log = runtime.logger;
  // Aborted by stop(): provisioning syncs under way send nothing more and end at once (their outbox rows go back,
  // their leases are released), so a stopping node hands its work over instead of finishing it first.
  const stopping = new AbortController();
  const stopRefresh = every(opts.refreshEveryMs ?? 60_000, async () => {
    try {
      for (const r of await runtime.legacyApi.refreshDue(systemActor)) {
        if (r.error) log.warn({ app: r.app, error: r.error }, "scheduled AWS role refresh failed");
        else log.info({ app: r.app, status: r.summary?.status }, "scheduled AWS role refresh");
      }
    } catch (err) {
      log.error({ err }, "scheduled AWS role refresh failed");
    }
  });
  const worker = new ProvisioningWorker(
    runtime.store,
    runtime.provisioning,
    `${hostname()}:${process.pid}:${newSecret().slice(0, 8)}`,
    runtime.clock,
  );
  const stopProvisioning = every(opts.provisioningEveryMs ?? 5_000, async () => {
    try {
      const run = await worker.runOnce(systemActor, stopping.signal);
      if (run.claimed > 0) log.info(run, "provisioning outbox drained");
    } catch (err) {
      log.error({ err }, "provisioning worker failed");
    }
  });
  const schedule = new FullSyncSchedule(runtime.store, runtime.provisioning, runtime.clock);
  const stopFullSync = every(opts.fullSyncEveryMs ?? 60_000, async () => {
    try {
      for (const r of await schedule.runDue(systemActor, stopping.signal)) {
        const { app, ...rest } = r;
        if (r.error) log.warn({ app, trigger: "schedule", ...rest }, "scheduled provisioning reconciliation failed");
        else log.info({ app, trigger: "schedule", ...rest }, "scheduled provisioning reconciliation");
      }
    } catch (err) {
      log.error({ err }, "scheduled provisioning reconciliation failed");
    }
  });
  // Directory sources (LDAP, AD): due incremental and full syncs, one node per source under the source's lease.
  const stopSources = every(opts.sourcesEveryMs ?? 60_000, async () => {
    try {
      for (const r of await runtime.sources.runDue(systemActor)) {
        if (r.error) log.warn(r, "scheduled directory source sync failed");
        else log.info(r, "scheduled directory source sync");
      }
    } catch (err) {
      log.error({ err }, "scheduled directory source sync failed");
    }
  });
  return {
    async stop() {
      stopping.abort();
      await Promise.all([stopRefresh(), stopProvisioning(), stopFullSync(), stopSources()]);
    },
  };
}
