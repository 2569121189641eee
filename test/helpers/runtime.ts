import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/ids.js";
import { openRuntime, type Runtime } from "../../src/runtime.js";
import type { Backend } from "./backends.js";

/** A full runtime on a fresh database of the given backend, closed and dropped by `cleanup`. */
export async function testRuntime(
  backend: Backend,
  overrides: Record<string, unknown> = {},
  opts: { clock?: Clock; onQuery?: () => void } = {},
): Promise<{ runtime: Runtime; cleanup(): Promise<void> }> {
  const opened = await backend.open();
  await opened.store.close();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: opened.dataDir,
      databaseUrl: opened.databaseUrl,
      logLevel: "silent",
      masterKey: randomBytes(32).toString("base64"),
      ...overrides,
    },
  });
  const runtime = await openRuntime(config, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.onQuery ? { onQuery: opts.onQuery } : {}),
  });
  return {
    runtime,
    async cleanup() {
      await runtime.close().catch(() => undefined);
      await opened.cleanup().catch(() => undefined);
    },
  };
}

/** A clock a test can move forward (sessions and codes expire) without touching the process's time. */
export function offsetClock(): Clock & { offsetMs: number } {
  const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
  return clock;
}
