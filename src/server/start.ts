import type { FastifyInstance } from "fastify";
import type { Runtime } from "../runtime.js";
import { buildApp } from "./app.js";
import { startScheduler } from "./scheduler.js";
import { exitOnSignals } from "./signals.js";

export interface StartOptions {
  host: string;
  port: number;
  /** Install SIGINT/SIGTERM handlers that shut down gracefully and then exit the process. */
  handleSignals?: boolean;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(runtime: Runtime, options: StartOptions): Promise<RunningServer> {
  const app = await buildApp(runtime);
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
  const close = () => {
    closing ??= (async () => {
      removeSignalHandlers();
      // Fastify's close answers new requests with 503 and waits for the in-flight ones.
      try {
        await scheduler.stop();
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
