import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

/**
 * Database round trips per sign-in request (issue 15): on several nodes sharing PostgreSQL, each statement is a
 * socket write and a wait, and profiles showed them as the largest cost of an SSO. These are counts, not
 * timings: a change that adds a statement to either path fails here and must say why it needs it.
 */
const SSO_STATEMENTS = 4;
/** One throttle count, one user+credentials read, the directory-source check, throttle clear and release, then
 * BEGIN, login stamp, session, log, COMMIT. */
const SIGN_IN_STATEMENTS = 10;

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  const hit = all.find((c: string) => c.startsWith(`${name}=`));
  return hit?.split(";")[0]?.slice(name.length + 1);
}

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];

describe.each(backends)("statements per sign-in request on $name", (backend) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  let statements = 0;

  /** Statements the database receives while `run` goes on (nothing else runs in this test's runtime). */
  async function counted<T>(run: () => Promise<T>): Promise<{ result: T; count: number }> {
    const before = statements;
    const result = await run();
    return { result, count: statements - before };
  }

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(
      backend,
      { publicUrl: "https://idp.example.com" },
      {
        onQuery: () => {
          statements++;
        },
      },
    ));
    app = await buildApp(runtime);
    const actor = cliActor();
    const { users, groups } = runtime.directory;
    const alice = await users.create(actor, {
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "L",
        displayName: "Alice",
      },
      password: "alice-password-1",
    });
    const aws = await runtime.apps.create(actor, {
      slug: "aws-demo",
      type: "aws-account-federation",
      label: "AWS",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    await runtime.signingKeys.create(actor, aws, "active");
    for (const role of ["Admin", "ReadOnly"]) {
      const g = await groups.create(actor, { name: `aws#prod#${role}#222233334444`, source: "active_directory" });
      await groups.addMember(actor, g.id, alice.id);
      await runtime.apps.assign(actor, aws.id, "group", g.id, {});
    }
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  async function signIn(): Promise<{ session: string; count: number }> {
    const form = await app.inject({ method: "GET", url: "/login" });
    const csrf = cookieFrom(form, "rb_login_csrf") ?? "";
    const { result: res, count } = await counted(() =>
      app.inject({
        method: "POST",
        url: "/login",
        cookies: { rb_login_csrf: csrf },
        payload: new URLSearchParams({
          login: "alice@example.com",
          password: "alice-password-1",
          csrf: hidden(form.body, "csrf") ?? "",
        }).toString(),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    );
    expect(res.statusCode).toBe(303);
    return { session: cookieFrom(res, "rb_session") ?? "", count };
  }

  it("a password sign-in sends at most the expected statements", async () => {
    const { session, count } = await signIn();
    expect(session).not.toBe("");
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(SIGN_IN_STATEMENTS);
  });

  it("an SSO from a session sends at most the expected statements, the first and the repeated alike", async () => {
    const { session } = await signIn();
    for (let i = 0; i < 3; i++) {
      const { result: res, count } = await counted(() =>
        app.inject({ method: "GET", url: "/app/aws-demo/sso/saml", cookies: { rb_session: session } }),
      );
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('name="SAMLResponse"');
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThanOrEqual(SSO_STATEMENTS);
    }
  });
});
