/**
 * The fault suite (issue 15): three rolebridge nodes on one PostgreSQL database behind HAProxy, under
 * continuous SSO load, with a node killed, the database's connections cut, the database down and up again
 * (through a proxy: the machine's server is shared), a node stopped, and the
 * provisioning outbox drained by all three while directory changes pour in. Each test prints its counts and
 * asserts invariants (who failed, what the target holds), not speeds. Needs dist/ (the nodes run
 * bin/rolebridge.js), HAProxy and PostgreSQL: `npm run test:faults` builds first.
 */
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../../src/cluster/harness.js";
import {
  describeLoad,
  directoryWritesFlow,
  type LoadResult,
  portalSession,
  ssoFlow,
  startLoad,
} from "../../src/cluster/load.js";
import type { ScimAppSettings } from "../../src/core/apps/scim-app-settings.js";
import { appLimits } from "../../src/core/provisioning/targets.js";
import { awsIdentityCenterProfile } from "../../src/core/scim/profiles.js";
import { DEMO_USER_PASSWORD } from "../../src/demo/seed.js";
import { DEMO_IDENTITY_CENTER } from "../../src/sandbox/index.js";
import { identityCenterView, worstExcess } from "./measure.js";

const CHECK_INTERVAL_MS = 500;
const FALL = 2;
/** SSO load: a few connections, so the load generator leaves the 2 cores room for the nodes. */
const CONNECTIONS = 6;

let cluster: Cluster;
let session: string;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${cluster.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${cluster.apiToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function allPages<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  for (;;) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await fetch(`${cluster.url}/api/v1${path}${sep}limit=200${after ? `&after=${after}` : ""}`, {
      headers: { authorization: `Bearer ${cluster.apiToken}` },
    });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    out.push(...((await res.json()) as T[]));
    const next = /<[^>]*[?&]after=([^&>]+)[^>]*>;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
    if (!next) return out;
    after = next;
  }
}

const print = (what: string, r: LoadResult) => console.log(`[faults] ${what}: ${describeLoad(r)}`);

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 3,
    checkIntervalMs: CHECK_INTERVAL_MS,
    fall: FALL,
    drainSeconds: 2,
    databaseProxy: true,
  });
  session = await portalSession(cluster.url, "alice@example.com", DEMO_USER_PASSWORD);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
}, 120_000);

describe("three nodes behind HAProxy, under SSO load", () => {
  it("kill -9 of one node fails only the requests in flight on it; its sessions work on the others", async () => {
    await cluster.ensureAllRunning();
    const victim = cluster.nodes[1]!;
    // A session made on the node that will die: sessions live in the database, not in a node.
    const madeThere = await portalSession(victim.url, "dave@example.com", DEMO_USER_PASSWORD);

    const load = startLoad({ url: cluster.url, flow: ssoFlow(session), connections: CONNECTIONS, durationSeconds: 8 });
    await delay(2_500);
    await victim.stop("SIGKILL");
    const diedAt = Date.now();
    const r = await load.result;
    print("kill -9 node2", r);

    expect(r.requests).toBeGreaterThan(50);
    // At most one request per connection can have been in flight on the dead node, and only those started
    // before it died may fail: HAProxy retries what reached no node and stops sending within its checks.
    const failed = r.events.filter((e) => !e.ok);
    expect(failed.length).toBeLessThanOrEqual(CONNECTIONS);
    for (const f of failed) expect(f.startedAt).toBeLessThanOrEqual(diedAt);
    expect(r.timeouts).toBe(0);

    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${cluster.url}/app/aws-demo/sso/saml`, {
        headers: { cookie: `rb_session=${madeThere}` },
      });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain('name="SAMLResponse"');
    }
  });

  it("every database connection cut mid-load: the nodes recover without a restart, nothing hangs", async () => {
    await cluster.ensureAllRunning();
    const pids = cluster.nodes.map((n) => n.pid);
    const load = startLoad({
      url: cluster.url,
      flow: ssoFlow(session),
      connections: CONNECTIONS,
      durationSeconds: 12,
      timeoutSeconds: 10,
    });
    await delay(2_500);
    // What a PostgreSQL restart does to the nodes (the machine's server is shared, so it is not restarted).
    const ended = await cluster.database.terminateBackends();
    const cutAt = Date.now();
    const r = await load.result;
    print(`${ended} database connections terminated`, r);

    expect(ended).toBeGreaterThan(0);
    // No request waited out its timeout, and from 5 s after the database answered again, every request worked.
    expect(r.timeouts).toBe(0);
    const afterRecovery = r.events.filter((e) => e.startedAt >= cutAt + 5_000);
    expect(afterRecovery.length).toBeGreaterThan(20);
    expect(afterRecovery.filter((e) => !e.ok)).toEqual([]);
    // Recovered by themselves: the same processes, all still ready.
    expect(cluster.nodes.map((n) => n.pid)).toEqual(pids);
    for (const n of cluster.nodes) expect((await fetch(`${n.url}/readyz`)).status).toBe(200);
  });

  it("the database restarting (connections dropped, refused for 3 s): nodes recover within 5 s of it answering", async () => {
    await cluster.ensureAllRunning();
    const proxy = cluster.databaseProxy;
    if (!proxy) throw new Error("the cluster runs without its database proxy");
    const pids = cluster.nodes.map((n) => n.pid);
    const load = startLoad({
      url: cluster.url,
      flow: ssoFlow(session),
      connections: CONNECTIONS,
      durationSeconds: 14,
      timeoutSeconds: 10,
      // While no node is ready HAProxy answers 503 at once; paced, so the load stays bounded in count.
      overallRate: 80,
    });
    await delay(2_500);
    await proxy.down();
    await delay(3_000);
    await proxy.up();
    const upAt = Date.now();
    const r = await load.result;
    print("database down 3 s", r);

    // While it was down requests failed fast (503); none hung past its timeout; from 5 s after the database
    // answered again every request worked, on the same node processes.
    expect(r.timeouts).toBe(0);
    expect(r.failures).toBeGreaterThan(0);
    const afterRecovery = r.events.filter((e) => e.startedAt >= upAt + 5_000);
    expect(afterRecovery.length).toBeGreaterThan(20);
    expect(afterRecovery.filter((e) => !e.ok)).toEqual([]);
    expect(cluster.nodes.map((n) => n.pid)).toEqual(pids);
  });

  it("a node stopped with SIGTERM drains: zero failed requests, and it exits cleanly", async () => {
    await cluster.ensureAllRunning();
    const node = cluster.nodes[0]!;
    const load = startLoad({ url: cluster.url, flow: ssoFlow(session), connections: CONNECTIONS, durationSeconds: 8 });
    await delay(2_500);
    const exit = await node.stop("SIGTERM");
    const r = await load.result;
    print("SIGTERM node1", r);

    expect(exit).toEqual({ code: 0, signal: null });
    expect(r.requests).toBeGreaterThan(50);
    expect(r.failures).toBe(0);
    expect(r.errors).toBe(0);
  });
});

describe("three nodes draining one provisioning outbox", () => {
  it("the sandbox's Identity Center ends exact, and the combined SCIM rate stays within the app's rate + burst", async () => {
    await cluster.ensureAllRunning();
    const tenant = DEMO_IDENTITY_CENTER.tenantId;
    const apps = await api<Array<{ id: string; slug: string }>>("GET", "/apps");
    const icApp = apps.find((a) => a.slug === "aws-sso-demo");
    if (!icApp) throw new Error("the demo's Identity Center app is missing");
    // Low budgets, so the outbox has to wait for them and three nodes could overspend them together.
    const updated = await api<{ settings: ScimAppSettings }>("POST", `/apps/${icApp.id}`, {
      settings: { budgets: { readPerSecond: 10, writePerSecond: 3, membershipOpsPerSecond: 20 } },
    });
    const limits = appLimits(awsIdentityCenterProfile, updated.settings);
    if (!("perClass" in limits)) throw new Error("an Identity Center app has per-class budgets");
    // The sandbox lets everything through (limits far above the app's) and records it: its timeline is what
    // rolebridge sent. (A throttle turned off would record nothing.)
    const open = { ratePerSecond: 100_000, burst: 100_000 };
    cluster.sandbox.identityCenter.admin.configure(tenant, {
      throttles: { read: open, write: open, membership: open },
    });

    const groups = await allPages<{ id: string; profile: { name: string } }>("/groups");
    const groupId = (name: string) => {
      const g = groups.find((x) => x.profile.name === name);
      if (!g) throw new Error(`no group ${name}`);
      return g.id;
    };
    // Assigned through "everyone", member of the pushed "engineering": a user create and a membership each.
    const writes = startLoad({
      url: cluster.url,
      flow: directoryWritesFlow(cluster.apiToken, [groupId("everyone"), groupId("engineering")], "pour"),
      connections: 1,
      amount: 24 * 3,
      overallRate: 8,
    });
    const w = await writes.result;
    print("directory writes", w);
    expect(w.failures).toBe(0);

    // Desired state, read from the directory through the API: everyone assigned; the pushed groups' members.
    const members = async (name: string) =>
      (await allPages<{ profile: { login: string } }>(`/groups/${groupId(name)}/users`))
        .map((u) => u.profile.login)
        .sort();
    const expected = {
      users: await members("everyone"),
      groups: [
        { displayName: "engineering", members: await members("engineering") },
        { displayName: "finance", members: await members("finance") },
      ],
    };
    expect(expected.users.filter((l) => l.startsWith("pour-"))).toHaveLength(24);

    const exact = () => {
      const view = identityCenterView(cluster.sandbox, tenant);
      return {
        users: [...view.userNames].sort(),
        groups: [...view.groups].sort((a, b) => a.displayName.localeCompare(b.displayName)),
      };
    };
    const until = Date.now() + 120_000;
    while (Date.now() < until && JSON.stringify(exact()) !== JSON.stringify(expected)) await delay(500);
    // Each person and group once, with exact members (a duplicate would show as a repeated name).
    expect(exact()).toEqual(expected);

    const traffic = cluster.sandbox.identityCenter.admin.trafficReport(tenant);
    // The sandbox stamps each request when its event loop handles it; a busy machine can bunch arrivals up.
    const jitterMs = 750;
    for (const cls of ["read", "write", "membership"] as const) {
      const worst = worstExcess(traffic[cls].timeline, limits.perClass[cls], jitterMs);
      console.log(
        `[faults] SCIM ${cls}: ${traffic[cls].requests} requests, ${traffic[cls].units} units; limit ` +
          `${limits.perClass[cls].ratePerSecond}/s burst ${limits.perClass[cls].burst}; worst stretch ` +
          `${worst.units} units in ${worst.spanMs} ms (excess ${worst.excess.toFixed(2)}, ${jitterMs} ms jitter allowed)`,
      );
      expect(worst.excess).toBeLessThanOrEqual(0);
    }
    expect(traffic.write.requests).toBeGreaterThanOrEqual(24);
  });
});
