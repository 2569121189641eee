import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { ensureAdmin } from "../../src/core/access/admins.js";
import { systemActor } from "../../src/core/audit.js";
import { openRuntime, type Runtime } from "../../src/runtime.js";
import { buildApp } from "../../src/server/app.js";
import type { Backend } from "../helpers/backends.js";

export const BODY_LIMIT = 4096;

export const ADMIN = { login: "admin@example.com", password: "correct horse battery staple" };

export interface Harness {
  app: FastifyInstance;
  runtime: Runtime;
  /** A valid API token secret, made the way `rolebridge token create` makes it. */
  token: string;
  call(opts: Call): Promise<LightMyRequestResponse>;
  /** Everything an error must leave untouched. */
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

export interface Call {
  method: InjectOptions["method"];
  url: string;
  body?: unknown;
  /** Sent as is (for malformed JSON and wrong content types). */
  payload?: string;
  headers?: Record<string, string>;
  /** Defaults to the harness token; null sends no Authorization header. */
  token?: string | null;
}

export interface Snapshot {
  users: number;
  groups: number;
  memberships: number;
  tokens: number;
  lastLogId: string | null;
}

export async function openHarness(backend: Backend, overrides: Partial<Config> = {}): Promise<Harness> {
  const opened = await backend.open();
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: opened.dataDir,
      databaseUrl: opened.databaseUrl,
      logLevel: "silent",
      // Small, so the 413 tests need no megabyte payloads.
      bodyLimitBytes: BODY_LIMIT,
      ...overrides,
    },
  });
  const runtime = await openRuntime(config);
  const app = await buildApp(runtime);
  await app.ready();
  const { secret } = await runtime.tokens.create(systemActor, { name: "tests" });
  await ensureAdmin(runtime.store, runtime.directory.users, systemActor, ADMIN);
  const store = runtime.store;
  return {
    app,
    runtime,
    token: secret,
    call({ method, url, body, payload, headers = {}, token }) {
      const auth = token === null ? {} : { authorization: `Bearer ${token ?? secret}` };
      return app.inject({
        method,
        url,
        headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(payload !== undefined ? { payload } : body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
    },
    async snapshot() {
      const last = await store.log.list({}, { limit: 1 });
      return {
        users: await store.users.count(),
        groups: await store.groups.count(),
        memberships: await store.memberships.count(),
        tokens: (await store.tokens.list()).length,
        lastLogId: last.items[0]?.id ?? null,
      };
    },
    async close() {
      await app.close();
      await runtime.close();
      await opened.cleanup();
    },
  };
}

/** Asserts the one error shape, and returns the body for further checks. */
export function expectError(res: LightMyRequestResponse, status: number, code: string) {
  const body = res.json() as { code: string; message: string; details: Record<string, unknown> };
  expect({ status: res.statusCode, code: body.code }).toEqual({ status, code });
  expect(Object.keys(body).sort()).toEqual(["code", "details", "message"]);
  expect(typeof body.message).toBe("string");
  expect(body.message.length).toBeGreaterThan(0);
  expect(typeof body.details).toBe("object");
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  return body;
}

/** Runs `act` and asserts it changed nothing: no rows, no system log entry. */
export async function expectNothingWritten(h: Harness, act: () => Promise<unknown>): Promise<void> {
  const before = await h.snapshot();
  await act();
  expect(await h.snapshot()).toEqual(before);
}

export const profile = (login: string, extra: Record<string, unknown> = {}) => ({
  login,
  email: login.includes("@") ? login : `${login}@example.com`,
  firstName: "Ada",
  lastName: "Lovelace",
  ...extra,
});

/** A JSON body just over the harness body limit, valid in every other respect but size. */
export const oversize = (body: Record<string, unknown>) => ({ ...body, padding: "x".repeat(BODY_LIMIT) });

/** The path and query of a Link header's rel="next" target, for inject. */
export function nextLink(res: LightMyRequestResponse): string | null {
  const header = String(res.headers.link ?? "");
  const match = /<([^>]+)>; rel="next"/.exec(header);
  if (!match) return null;
  const url = new URL(match[1]!);
  return url.pathname + url.search;
}
