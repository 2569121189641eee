import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../src/core/audit.js";
import { seedAwsDemo } from "../../src/demo/aws.js";
import { seedIdentityCenterDemo } from "../../src/demo/identity-center.js";
import { DEMO_USER_PASSWORD, seedDemo } from "../../src/demo/seed.js";
import type { Runtime } from "../../src/runtime.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { buildApp } from "../../src/server/app.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
const cookie = (res: { headers: Record<string, unknown> }, name: string) => {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .find((c: string) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);
};

/** What a newcomer does with `serve --demo`: sign in, click an AWS tile, land on the sandbox's AWS pages. */
describe("the demo, end to end", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!));
    await seedDemo(runtime, cliActor());
    const first = await seedAwsDemo(runtime, sandbox, cliActor());
    expect(first.samlSetup.filter((r) => r.outcome === "error")).toEqual([]);
    const sso = await seedIdentityCenterDemo(runtime, sandbox, cliActor());
    expect(sso.results.filter((r) => r.status === "error")).toEqual([]);
    app = await buildApp(runtime);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await cleanup?.();
  });

  async function ssoAs(login: string, slug: string) {
    const form = await app.inject({ method: "GET", url: "/login" });
    const signedIn = await app.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: cookie(form, "rb_login_csrf")! },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        login,
        password: DEMO_USER_PASSWORD,
        csrf: hidden(form.body, "csrf")!,
      }).toString(),
    });
    const session = cookie(signedIn, "rb_session")!;
    const sso = await app.inject({ method: "GET", url: `/app/${slug}/sso/saml`, cookies: { rb_session: session } });
    expect(sso.statusCode).toBe(200);
    const action = /<form id="saml" method="post" action="([^"]+)"/.exec(sso.body)?.[1];
    expect(action).toBe(sandbox.signinUrl("https://signin.aws.amazon.com/saml"));
    const res = await fetch(action!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: hidden(sso.body, "SAMLResponse")! }).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  it("alice signs in through the group-mapping app and gets AWS's role picker", async () => {
    const page = await ssoAs("alice@example.com", "aws-demo");
    expect(page.body).not.toContain("sandbox-reason");
    expect(page.body).toContain("Account: northamerica-production (222233334444)");
    expect(page.body).toContain("Account: europe-production (444455556666)");
  });

  it("dave lands straight on the console with his one role", async () => {
    const page = await ssoAs("dave@example.com", "aws-demo");
    expect(/id="sandbox-reason"[^>]*>([^<]*)/.exec(page.body)?.[1]).toBeUndefined();
    expect(page.status).toBe(200);
    expect(page.body).toContain("Tier1_Support");
    expect(page.body).not.toContain("roleIndex");
  });

  it("bob signs in through the legacy API-mode app with the roles assigned from AWS's lists", async () => {
    const page = await ssoAs("bob@example.com", "aws-legacy");
    expect(page.body).not.toContain("sandbox-reason");
    expect(page.body).toContain("Account: northamerica-staging (333344445555)");
  });

  it("has everyone provisioned to Identity Center, and a dry run then reports no difference", async () => {
    const dry = await runtime.provisioning.sync(cliActor(), "aws-sso-demo", { dryRun: true });
    expect(dry.plan).toEqual(["aws-identity-center: in sync, nothing to send"]);
    const status = await runtime.provisioning.status("aws-sso-demo");
    expect(status.filter((o) => o.kind === "user")).toHaveLength(5);
    expect(status.filter((o) => o.kind === "group").map((o) => o.status)).toEqual(["active", "active"]);
    expect(sandbox.identityCenter.admin.listAssignments("d-9067c0ffee")).toHaveLength(3);
  });

  it("erin signs in to the Identity Center portal and sees the accounts her pushed group reaches", async () => {
    const form = await app.inject({ method: "GET", url: "/login" });
    const signedIn = await app.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: cookie(form, "rb_login_csrf")! },
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({
        login: "erin@example.com",
        password: DEMO_USER_PASSWORD,
        csrf: hidden(form.body, "csrf")!,
      }).toString(),
    });
    const session = cookie(signedIn, "rb_session")!;
    const home = await app.inject({ method: "GET", url: "/", cookies: { rb_session: session } });
    expect(home.body).toContain('href="/app/aws-sso-demo/sso/saml"');
    const sso = await app.inject({
      method: "GET",
      url: "/app/aws-sso-demo/sso/saml",
      cookies: { rb_session: session },
    });
    const action = /<form id="saml" method="post" action="([^"]+)"/.exec(sso.body)?.[1];
    const res = await fetch(action!, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: hidden(sso.body, "SAMLResponse")! }).toString(),
    });
    const portal = await res.text();
    expect(res.status).toBe(200);
    expect(portal).toContain("333344445555");
    expect(portal).toContain("AdministratorAccess");
  });

  it("running the demo setup again changes nothing it should not", async () => {
    const again = await seedAwsDemo(runtime, sandbox, cliActor());
    expect(new Set(again.samlSetup.map((r) => r.outcome))).toEqual(new Set(["unchanged"]));
    expect((await runtime.apps.list({ limit: 10 })).items.map((a) => a.slug).sort()).toEqual([
      "aws-demo",
      "aws-legacy",
      "aws-sso-demo",
    ]);
    const sso = await seedIdentityCenterDemo(runtime, sandbox, cliActor());
    expect(sso.results).toEqual([]);
  });
});
