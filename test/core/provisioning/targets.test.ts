import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { cliActor } from "../../../src/core/audit.js";
import { ScimTargets } from "../../../src/core/provisioning/targets.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();

describe("SCIM targets of provisioning apps", () => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  const asked: string[] = [];
  const fetchImpl = (async (url: string) => {
    asked.push(url);
    return new Response("{}", { status: 200 });
  }) as unknown as typeof fetch;

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    for (const slug of ["one", "two"]) {
      const app = await createAppWithKey(runtime, actor, {
        slug,
        type: "generic-scim2",
        label: slug,
        settings: { baseUrl: `https://scim.example/${slug}/v2`, rateLimitPerSecond: 2 },
      });
      await runtime.provisioning.setToken(actor, app.id, "a-long-enough-token");
    }
  });
  afterAll(async () => cleanup?.());

  it("gives every connection to one app the same rate limit, and other apps their own", async () => {
    const targets = new ScimTargets(runtime.store, runtime.secrets, fetchImpl);
    const [one, two] = [await runtime.apps.get("one"), await runtime.apps.get("two")];
    const first = await targets.connect(one);
    const second = await targets.connect(one);
    const other = await targets.connect(two);
    // Burst 2 at 2/s: two requests spend it; the same app's next connection must wait about half a second.
    await first.client.request("GET", "/Users");
    await first.client.request("GET", "/Users");
    await other.client.request("GET", "/Users");
    // Its own bucket: no wait (the client times the whole take(), so a clock tick of a millisecond can show).
    expect(other.client.stats.rateLimitWaitMs).toBeLessThan(100);
    await second.client.request("GET", "/Users");
    expect(second.client.stats.rateLimitWaitMs).toBeGreaterThanOrEqual(300);
    expect(asked).toHaveLength(4);
  });
});
