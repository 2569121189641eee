/**
 * The load generator of the fault suite and bench/cluster: autocannon (a dev dependency, loaded only by them)
 * driving rolebridge's real flows through the load balancer, with every answer recorded so a test can tell
 * which requests failed and when.
 */
import autocannon from "autocannon";

/** One realistic flow: the requests a connection repeats, and the statuses that mean it worked. */
export interface Flow {
  name: string;
  requests: autocannon.Request[];
  okStatuses: number[];
  headers?: Record<string, string>;
}

export interface LoadEvent {
  startedAt: number;
  endedAt: number;
  /** null: no answer (connection error or timeout). */
  status: number | null;
  ok: boolean;
}

export interface LoadResult {
  flow: string;
  requests: number;
  failures: number;
  /** Connection errors and timeouts (no answer at all); timeouts are also counted in errors. */
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  perSecond: number;
  events: LoadEvent[];
}

export interface LoadOptions {
  /** The base URL, e.g. HAProxy's. */
  url: string;
  flow: Flow;
  connections: number;
  durationSeconds?: number;
  /** Stop after this many requests instead of after a duration. */
  amount?: number;
  /** A request with no answer after this long counts as failed (timeout). */
  timeoutSeconds?: number;
  /** Requests per second over all connections (open-loop pacing), e.g. half the saturation rate. */
  overallRate?: number;
}

export interface RunningLoad {
  result: Promise<LoadResult>;
  stop(): void;
}

/** Starts the load; `result` settles when it ends (duration or amount reached, or stop()). */
export function startLoad(opts: LoadOptions): RunningLoad {
  const events: LoadEvent[] = [];
  const statuses: Record<string, number> = {};
  const ok = new Set(opts.flow.okStatuses);
  let instance!: autocannon.Instance;
  const result = new Promise<LoadResult>((resolve, reject) => {
    const options: autocannon.Options = {
      url: opts.url,
      connections: opts.connections,
      timeout: opts.timeoutSeconds ?? 10,
      requests: opts.flow.requests,
      ...(opts.flow.headers ? { headers: opts.flow.headers } : {}),
      ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: opts.durationSeconds ?? 10 }),
      ...(opts.overallRate !== undefined ? { overallRate: opts.overallRate } : {}),
    };
    instance = autocannon(options, (err, r) => {
      if (err) return reject(err);
      const failures = events.filter((e) => !e.ok).length;
      resolve({
        flow: opts.flow.name,
        requests: events.length,
        failures,
        errors: r.errors,
        timeouts: r.timeouts,
        statuses,
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
        perSecond: events.length / (r.duration || 1),
        events,
      });
    });
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      const endedAt = Date.now();
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      events.push({ startedAt: endedAt - responseTime, endedAt, status: statusCode, ok: ok.has(statusCode) });
    });
    instance.on("reqError", () => {
      const now = Date.now();
      statuses.error = (statuses.error ?? 0) + 1;
      // When it started is unknown; at most the timeout before now.
      events.push({ startedAt: now - (opts.timeoutSeconds ?? 10) * 1000, endedAt: now, status: null, ok: false });
    });
  });
  return { result, stop: () => instance.stop() };
}

/** What one load run prints (the fault suite's counts): requests, failures, statuses, latency. */
export function describeLoad(r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  return (
    `${r.flow}: ${r.requests} requests, ${r.failures} failed (${r.errors} without answer, ${r.timeouts} timeouts), ` +
    `${statuses}; latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`
  );
}

const PORTAL_COOKIE = "rb_session";
const LOGIN_CSRF = "cluster-load-csrf";

/** A person's portal session, signed in with their password at `baseUrl` (a node or the balancer). */
export async function portalSession(baseUrl: string, login: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `rb_login_csrf=${LOGIN_CSRF}` },
    body: new URLSearchParams({ csrf: LOGIN_CSRF, login, password }).toString(),
  });
  await res.arrayBuffer();
  const session = res.headers
    .getSetCookie()
    .map((c) => new RegExp(`^${PORTAL_COOKIE}=([^;]+)`).exec(c)?.[1])
    .find(Boolean);
  if (res.status !== 303 || !session) throw new Error(`portal sign-in for ${login} failed: status ${res.status}`);
  return session;
}

/** SSO from an existing session: the session cookie in, a signed SAML Response (auto-POST page, 200) out. */
export const ssoFlow = (session: string, appSlug = "aws-demo"): Flow => ({
  name: `sso ${appSlug}`,
  requests: [{ method: "GET", path: `/app/${appSlug}/sso/saml`, headers: { cookie: `${PORTAL_COOKIE}=${session}` } }],
  okStatuses: [200],
});

/** Portal password sign-in (argon2id verify, throttle reservation, session insert), rotating over `logins`. */
export function passwordSignInFlow(logins: string[], password: string): Flow {
  let next = 0;
  return {
    name: "password sign-in",
    requests: [
      {
        method: "POST",
        path: "/login",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `rb_login_csrf=${LOGIN_CSRF}` },
        setupRequest: (req) => {
          const login = logins[next++ % logins.length] ?? "";
          return { ...req, body: new URLSearchParams({ csrf: LOGIN_CSRF, login, password }).toString() };
        },
      },
    ],
    okStatuses: [303],
  };
}

/** Admin API reads with an API token: users, groups, apps. */
export const adminReadsFlow = (token: string): Flow => ({
  name: "admin API reads",
  headers: { authorization: `Bearer ${token}` },
  requests: [
    { method: "GET", path: "/api/v1/users?limit=20" },
    { method: "GET", path: "/api/v1/groups?limit=20" },
    { method: "GET", path: "/api/v1/apps" },
  ],
  okStatuses: [200],
});

/**
 * Directory writes that provisioning follows: create a person, then add them to each of `groupIds` (assigned or
 * pushed groups), each write committing its outbox row. Logins are `<prefix>-<n>@example.com`.
 */
export function directoryWritesFlow(token: string, groupIds: string[], prefix: string): Flow {
  let n = 0;
  type Context = { login?: string };
  return {
    name: "directory writes",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    requests: [
      {
        method: "POST",
        path: "/api/v1/users",
        setupRequest: (req, context) => {
          const login = `${prefix}-${++n}@example.com`;
          (context as Context).login = login;
          const profile = { login, email: login, firstName: "Load", lastName: `Person ${n}` };
          return { ...req, body: JSON.stringify({ profile }) };
        },
      },
      ...groupIds.map(
        (groupId): autocannon.Request => ({
          method: "PUT",
          setupRequest: (req, context) => ({
            ...req,
            body: undefined,
            path: `/api/v1/groups/${groupId}/users/${encodeURIComponent((context as Context).login ?? "")}`,
          }),
        }),
      ),
    ],
    okStatuses: [201, 204],
  };
}
