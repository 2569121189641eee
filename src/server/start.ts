import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Runtime } from "../runtime.js";
import { buildApp } from "./app.js";
import { Readiness } from "./readiness.js";
import { startScheduler } from "./scheduler.js";
import { exitOnSignals } from "./signals.js";

export interface StartOptions {
  host: string;
  port: number;
  /** Install SIGINT/SIGTERM handlers that shut down gracefully and then exit the process. */
  handleSignals?: boolean;
  /**
   * How long close() keeps serving with /readyz answering 503 before it stops listening, so a load balancer
   * takes the node out first. Default: the config's drainSeconds.
   */
  drainMs?: number;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(runtime: Runtime, options: StartOptions): Promise<RunningServer> {
  const readiness = new Readiness();
  const app = await buildApp(runtime, { readiness });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    // e.g. EADDRINUSE: release what buildApp set up; the runtime stays the caller's to close.
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  const scheduler = startScheduler(runtime);

  let removeSignalHandlers = () => {};
  let closing: Promise<void> | null = null;
  const drainMs = options.drainMs ?? runtime.config.drainSeconds * 1000;
  const close = () => {
    closing ??= (async () => {
      removeSignalHandlers();
      // Not ready from now on; everything sent to us is still served while the balancer notices. Meanwhile the
      // scheduler claims nothing new and cuts its running syncs short (their unsent work goes back due at once),
      // so the node leaves no outbox claim or lease behind for another node to wait out.
      readiness.drain();
      try {
        await Promise.all([scheduler.stop(), delay(drainMs)]);
        // Stops listening, closes idle connections and waits for the in-flight requests.
        await app.close();
      } finally {
        await runtime.close();
      }
    })();
    return closing;
  };

  if (options.handleSignals) removeSignalHandlers = exitOnSignals(runtime.logger, close);
  return { url, app, close };
}
