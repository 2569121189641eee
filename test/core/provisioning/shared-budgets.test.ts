import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import { newId, systemClock } from "../../../src/core/ids.js";
import { ProvisioningService } from "../../../src/core/provisioning/service.js";
import { SharedBudget, STORE_PATIENCE_MS, sharedBudgetFactory } from "../../../src/core/provisioning/shared-budgets.js";
import { type AppLimits, inProcessBudgetFactory } from "../../../src/core/provisioning/targets.js";
import { type BudgetLimits, MEMBERSHIP_HEADROOM, type ScimBudgets } from "../../../src/core/scim/budgets.js";
import type { RateLimit, RequestBudget } from "../../../src/core/scim/rate-limit.js";
import type { Runtime } from "../../../src/runtime.js";
import type { Store } from "../../../src/store/contract.js";
import type { ScimBudgetRepo } from "../../../src/store/contract-budgets.js";
import { type Backend, backends } from "../../helpers/backends.js";
import { twoNodes } from "../../helpers/two-nodes.js";

const actor = cliActor();

interface Grant {
  at: number;
  cost: number;
}

/**
 * How far the units granted by each moment went beyond burst + rate × (moment − start), at worst; the invariant
 * holds when this is not positive. A grant is recorded after the budget decided it, so recorded counts can only
 * lag the real ones: a breach seen here is a real breach.
 */
function worstExcess(grants: Grant[], start: number, limit: RateLimit): number {
  let spent = 0;
  let worst = Number.NEGATIVE_INFINITY;
  for (const g of [...grants].sort((a, b) => a.at - b.at)) {
    spent += g.cost;
    worst = Math.max(worst, spent - (limit.burst + (limit.ratePerSecond * (g.at - start)) / 1000));
  }
  return worst;
}

/** Takes from `budget` until `until`, recording each grant. */
async function hammer(budget: RequestBudget, until: number, cost: () => number, record: (g: Grant) => void) {
  while (Date.now() < until) {
    const c = cost();
    await budget.take(c);
    record({ at: Date.now(), cost: c });
  }
}

/** An app row (no signing key: budgets need only the app), created through one node. */
async function newApp(node: Runtime, slug: string, settings: Record<string, unknown> = {}): Promise<string> {
  const at = new Date().toISOString();
  const app = await node.store.apps.insert({
    id: newId("app"),
    slug,
    type: "aws-iam-identity-center",
    label: slug,
    status: "ACTIVE",
    settings,
    at,
  });
  return app.id;
}

/** The wiring tests' read budget: low, so a bucket per node overshoots it by far whatever the machine's load. */
const READ = { ratePerSecond: 4, burst: 4 };

const LIMITS: BudgetLimits = {
  read: { ratePerSecond: 40, burst: 40 },
  write: { ratePerSecond: 25, burst: 25 },
  membership: { ratePerSecond: 100, burst: 100 },
};

describe.each(backends)("budgets shared by two nodes on $name", (backend) => {
  let nodes: [Runtime, Runtime];
  let cleanup: () => Promise<void>;
  let appIds: string[];
  beforeAll(async () => {
    ({ nodes, cleanup } = await twoNodes(backend));
    appIds = [];
    for (const slug of ["busy", "quiet", "paused"]) appIds.push(await newApp(nodes[0], slug));
  }, 60_000);
  afterAll(async () => cleanup?.());

  const budgetsOn = (node: Runtime, appId: string): ScimBudgets =>
    sharedBudgetFactory(node.store)(appId, { perClass: LIMITS } satisfies AppLimits);

  it("never grant together more than rate × time + burst per class, and leave another app's budget alone", async () => {
    const [busy, quiet] = [appIds[0]!, appIds[1]!];
    const perNode = nodes.map((node) => budgetsOn(node, busy));
    const grants = { read: [] as Grant[], write: [] as Grant[], membership: [] as Grant[] };
    const byNode = [0, 0];
    const start = Date.now();
    const until = start + 1500;
    const loops: Promise<void>[] = [];
    perNode.forEach((budgets, n) => {
      const into = (list: Grant[]) => (g: Grant) => {
        byNode[n]! += 1;
        list.push(g);
      };
      // Membership requests carry 1 to 30 members, as PATCHes of a large push group do.
      const members = () => 1 + Math.floor(Math.random() * 30);
      for (let i = 0; i < 3; i++) {
        loops.push(hammer(budgets.read, until, () => 1, into(grants.read)));
        loops.push(hammer(budgets.write, until, () => 1, into(grants.write)));
        loops.push(hammer(budgets.membership!, until, members, into(grants.membership)));
      }
    });
    // Half-way through, the second node reads another app: its whole burst at once, without a wait.
    await new Promise((r) => setTimeout(r, 500));
    const other = new SharedBudget(nodes[1].store, quiet, "read", LIMITS.read);
    for (let i = 0; i < LIMITS.read.burst; i++) await other.take();
    expect(other.waitedMs).toBe(0);
    await Promise.all(loops);

    const membership = { ...LIMITS.membership, ratePerSecond: LIMITS.membership.ratePerSecond * MEMBERSHIP_HEADROOM };
    expect(worstExcess(grants.read, start, LIMITS.read)).toBeLessThanOrEqual(1e-6);
    expect(worstExcess(grants.write, start, LIMITS.write)).toBeLessThanOrEqual(1e-6);
    expect(worstExcess(grants.membership, start, membership)).toBeLessThanOrEqual(1e-6);
    // Both nodes were served, and the budgets were actually spent (the bound was tested, not idled under).
    expect(byNode.every((n) => n > 0)).toBe(true);
    expect(grants.read.length).toBeGreaterThan(LIMITS.read.burst);
    expect(grants.write.length).toBeGreaterThan(LIMITS.write.burst);
  }, 30_000);

  it("pause every node when one meets a 429 with Retry-After", async () => {
    const paused = appIds[2]!;
    const [first, second] = nodes.map((node) => new SharedBudget(node.store, paused, "write", LIMITS.write));
    await first!.take();
    const until = Date.now() + 600;
    first!.pauseFor(600);
    await expect
      .poll(async () => (await nodes[1].store.scimBudgets.get(paused, "write"))?.pausedUntilMs ?? 0)
      .toBeGreaterThanOrEqual(until);
    await second!.take();
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(second!.waitedMs).toBeGreaterThan(0);
  });
});

/** A SCIM target that answers every list empty and notes when each request arrived. */
async function countingTarget(): Promise<{ url: string; arrivals: number[]; server: Server }> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    res.writeHead(200, { "content-type": "application/scim+json" });
    res.end(JSON.stringify({ schemas: [], totalResults: 0, Resources: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`, arrivals, server };
}

/** Six requests from each of two provisioning services at once; their arrivals at the target. */
async function burstFrom(
  target: Awaited<ReturnType<typeof countingTarget>>,
  appId: string,
  services: ProvisioningService[],
) {
  target.arrivals.length = 0;
  const start = Date.now();
  const answers = await Promise.all(services.flatMap((s) => Array.from({ length: 6 }, () => s.testCredentials(appId))));
  return { start, answers, arrivals: target.arrivals.map((at) => ({ at, cost: 1 })) };
}

/** Two nodes on one fresh database of `backend`, with an AWS app reading at 4 a second from a counting target. */
function twoNodesWithTarget(backend: Backend) {
  const env = {} as { nodes: [Runtime, Runtime]; target: Awaited<ReturnType<typeof countingTarget>>; appId: string };
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    env.target = await countingTarget();
    ({ nodes: env.nodes, cleanup } = await twoNodes(backend));
    env.appId = await newApp(env.nodes[0], "sso", {
      baseUrl: env.target.url,
      budgets: { readPerSecond: READ.ratePerSecond },
    });
    await env.nodes[0].provisioning.setToken(actor, env.appId, "scim-token-123456");
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => env.target?.server.close(r));
    await cleanup?.();
  });
  return env;
}

describe.each(backends)("an app's SCIM requests from two nodes on $name", (backend) => {
  const env = twoNodesWithTarget(backend);

  it("draw from one budget through each runtime's provisioning service", async () => {
    const { start, answers, arrivals } = await burstFrom(
      env.target,
      env.appId,
      env.nodes.map((n) => n.provisioning),
    );
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(arrivals).toHaveLength(12);
    expect(worstExcess(arrivals, start, READ)).toBeLessThanOrEqual(1e-6);
  }, 30_000);
});

describe("an app's SCIM requests from two nodes with a bucket each", () => {
  const env = twoNodesWithTarget(backends[0]!);

  it("exceed the app's budget: the check above can fail", async () => {
    const perNode = env.nodes.map(
      (n) => new ProvisioningService(n.store, n.apps, n.secrets, systemClock, fetch, inProcessBudgetFactory),
    );
    const { start, answers, arrivals } = await burstFrom(env.target, env.appId, perNode);
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(worstExcess(arrivals, start, READ)).toBeGreaterThan(1);
  }, 30_000);
});

describe("a shared budget whose database does not answer", () => {
  /** A timer whose sleeps pass at once, and a store whose takes fail while `down` is above zero (counting down). */
  function flaky(down: number) {
    const timer = {
      t: 0,
      nowMs: () => timer.t,
      sleep: async (ms: number) => {
        timer.t += ms;
      },
    };
    const state = { down, calls: 0 };
    const scimBudgets: Partial<ScimBudgetRepo> = {
      async take() {
        state.calls++;
        if (state.down-- > 0) throw new Error("Connection terminated unexpectedly");
        return { granted: true, tokens: 0, pausedUntilMs: 0 };
      },
    };
    const budget = new SharedBudget({ scimBudgets } as Store, "app_x", "write", LIMITS.write, timer);
    return { budget, timer, state };
  }

  it("waits for it to come back instead of failing the request", async () => {
    const { budget, timer, state } = flaky(3);
    await budget.take();
    expect(state.calls).toBe(4);
    expect(timer.t).toBe(100 + 200 + 400);
  });

  it("fails the request, saying why, once it has been gone for the whole patience; the next one tries again", async () => {
    const { budget, timer, state } = flaky(Number.POSITIVE_INFINITY);
    await expect(budget.take()).rejects.toThrow(
      /SCIM budget could not be taken from the database: Connection terminated/,
    );
    expect(timer.t).toBeGreaterThanOrEqual(STORE_PATIENCE_MS);
    expect(timer.t).toBeLessThan(STORE_PATIENCE_MS + 2_100);
    state.down = 0;
    const calls = state.calls;
    await budget.take();
    expect(state.calls).toBe(calls + 1);
  });
});
