import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/load.js";
import type { Clock } from "../../src/core/ids.js";
import { openRuntime, type Runtime } from "../../src/runtime.js";
import type { Backend } from "./backends.js";

/**
 * Two runtimes — two rolebridge nodes as far as shared state goes — on one fresh database of the backend:
 * the same SQLite file or PostgreSQL database, the same master key, each with its own connections and caches.
 */
export async function twoNodes(
  backend: Backend,
  overrides: Record<string, unknown> = {},
  clocks: [Clock?, Clock?] = [],
): Promise<{ nodes: [Runtime, Runtime]; cleanup(): Promise<void> }> {
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
  const open = (clock: Clock | undefined) => openRuntime(config, clock ? { clock } : {});
  const first = await open(clocks[0]);
  const second = await open(clocks[1]).catch(async (err) => {
    await first.close();
    throw err;
  });
  return {
    nodes: [first, second],
    async cleanup() {
      await first.close().catch(() => undefined);
      await second.close().catch(() => undefined);
      await opened.cleanup().catch(() => undefined);
    },
  };
}
