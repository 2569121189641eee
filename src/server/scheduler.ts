import { systemActor } from "../core/audit.js";
import type { Runtime } from "../runtime.js";

/**
 * Periodic work of a server node: legacy API mode's scheduled "Refresh Application Data". Every node
 * runs it; the store's lease lets exactly one node refresh a given app per interval.
 */
export function startScheduler(runtime: Runtime, everyMs = 60_000): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = runtime.legacyApi
      .refreshDue(systemActor)
      .then((results) => {
        for (const r of results) {
          if (r.error) runtime.logger.warn({ app: r.app, error: r.error }, "scheduled AWS role refresh failed");
          else runtime.logger.info({ app: r.app, status: r.summary?.status }, "scheduled AWS role refresh");
        }
      })
      .catch((err: unknown) => runtime.logger.error({ err }, "scheduler tick failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, everyMs);
  // A pending tick must not keep a stopping process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
