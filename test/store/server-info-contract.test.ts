import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/contract.js";
import type { ServerInfo } from "../../src/store/contract-server.js";
import { backends } from "../helpers/backends.js";

const info = (node: string, startedAt: string, over: Partial<ServerInfo> = {}): ServerInfo => ({
  node,
  publicUrl: `http://${node}`,
  listenUrl: `http://${node}`,
  dataDir: null,
  startedAt,
  ...over,
});

describe.each(backends)("server info on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => cleanup?.());

  it("is empty until a server records itself, then answers the most recently started one", async () => {
    expect(await store.serverInfo.latest()).toBeNull();
    await store.serverInfo.record(info("a:8080", "2026-03-01T00:00:00.000Z", { dataDir: "/srv/rolebridge" }));
    await store.serverInfo.record(info("b:8080", "2026-03-01T00:05:00.000Z"));
    expect(await store.serverInfo.latest()).toEqual(info("b:8080", "2026-03-01T00:05:00.000Z"));
    // A restart replaces its node's row: node a is now the newest, with its new URL.
    const restarted = info("a:8080", "2026-03-01T00:09:00.000Z", {
      publicUrl: "https://idp.example.com",
      dataDir: "/srv/rolebridge",
    });
    await store.serverInfo.record(restarted);
    expect(await store.serverInfo.latest()).toEqual(restarted);
  });
});
