import type { Logger } from "pino";

/**
 * On SIGINT/SIGTERM: drain with `close`, then exit 0 (1 if closing failed). A second signal while draining
 * means "now": exit 1 without waiting for slow requests. Returns the function that removes the handlers.
 */
export function exitOnSignals(logger: Logger, close: () => Promise<void>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.once(signal, () => process.exit(1));
    logger.info({ signal }, "shutting down: draining in-flight requests");
    close().then(
      () => {
        logger.info("shutdown complete");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
