import { inflateRawSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../src/core/apps/create.js";
import { buildIdentityCenterSignIn } from "../../src/core/apps/ic-sign-in.js";
import type { App } from "../../src/core/apps/model.js";
import { cliActor } from "../../src/core/audit.js";
import type { Runtime } from "../../src/runtime.js";
import { DEMO_IDENTITY_CENTER, type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { buildApp } from "../../src/server/app.js";
import { backends } from "../helpers/backends.js";
import { testRuntime } from "../helpers/runtime.js";

/**
 * An end user signs into the sandbox's IAM Identity Center portal through rolebridge's portal: the app is set
 * up as an admin would (SAML settings from the instance, our IdP metadata uploaded, token, assignment, pushed
 * group, sync), AWS side grants a permission set to the pushed group, and the auto-posted Response opens the
 * access portal. Only wire protocols between the two: SCIM, the admin API and the ACS form post.
 */
const tenant = DEMO_IDENTITY_CENTER.tenantId;
const PROD = "222233334444";
const actor = cliActor();

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  const hit = all.find((c: string) => c.startsWith(`${name}=`));
  return hit?.split(";")[0]?.slice(name.length + 1);
}

const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
const reasonOf = (html: string) => /<div id="sandbox-reason" hidden>([^<]*)<\/div>/.exec(html)?.[1];

describe("IAM Identity Center sign-in through the portal, against the sandbox", () => {
  let sandbox: SandboxHandle;
  let runtime: Runtime;
  let server: FastifyInstance;
  let cleanup: () => Promise<void>;
  let app: App;

  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    ({ runtime, cleanup } = await testRuntime(backends[0]!, { publicUrl: "https://idp.example.com" }));
    server = await buildApp(runtime);
    const { users, groups } = runtime.directory;
    for (const [login, first, last] of [
      ["alice@example.com", "Alice", "Anderson"],
      ["bob@example.com", "Bob", "Brown"],
      ["carol@example.com", "Carol", "Chen"],
    ] as const) {
      await users.create(actor, {
        // Emails differ from logins: AWS matches the NameID against the userName, which is the login.
        profile: {
          login,
          email: `${first.toLowerCase()}.${last.toLowerCase()}@corp.example.com`,
          firstName: first,
          lastName: last,
          displayName: null,
        },
        password: `${first.toLowerCase()}-password-1`,
      });
    }
    const everyone = await groups.create(actor, { name: "aws-sso-users" });
    const admins = await groups.create(actor, { name: "platform-admins" });
    await groups.addMember(actor, everyone.id, "alice@example.com");
    await groups.addMember(actor, admins.id, "alice@example.com");

    const ic = sandbox.identityCenter;
    app = await createAppWithKey(runtime, actor, {
      slug: "aws-sso",
      type: "aws-iam-identity-center",
      label: "AWS IAM Identity Center",
      settings: {
        baseUrl: ic.scimUrl(tenant),
        pushGroups: [admins.id],
        saml: {
          acsUrl: ic.samlRecipient(tenant),
          audience: ic.samlAudience(tenant),
          signinEndpointUrl: ic.acsUrl(tenant),
        },
      },
    });
    // Our IdP metadata, uploaded to the instance as an admin would in the AWS console (here its admin API).
    const put = await fetch(`${sandbox.url}/_sandbox/identity-center/${tenant}/saml-metadata`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: await runtime.signingKeys.metadata(app, runtime.publicUrl) }),
    });
    expect(put.status).toBeLessThan(300);

    await runtime.provisioning.setToken(actor, app.id, DEMO_IDENTITY_CENTER.scimToken);
    await runtime.provisioning.enable(actor, app.id);
    expect(await runtime.provisioning.testCredentials(app.id)).toEqual({ ok: true });
    await runtime.apps.assign(actor, app.id, "group", everyone.id, {});
    const sync = await runtime.provisioning.sync(actor, app.id);
    expect(sync.results.filter((r) => r.status !== "ok")).toEqual([]);
    expect(sync.results.map((r) => r.kind).sort()).toEqual(["createGroup", "createUser"]);

    // Access is granted in AWS: a permission set for the pushed group on an account.
    ic.admin.assign(tenant, { permissionSet: "AdministratorAccess", group: "platform-admins", accountId: PROD });
    // Carol is assigned after the sync: rolebridge signs her in, but AWS has no such user.
    await runtime.apps.assign(actor, app.id, "user", "carol@example.com", {});
  });
  afterAll(async () => {
    await server?.close();
    await sandbox?.close();
    await cleanup?.();
  });

  async function portalSession(login: string, password: string): Promise<string> {
    const form = await server.inject({ method: "GET", url: "/login" });
    const res = await server.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: cookieFrom(form, "rb_login_csrf")! },
      payload: new URLSearchParams({ login, password, csrf: hidden(form.body, "csrf")!, next: "/" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(303);
    return cookieFrom(res, "rb_session")!;
  }

  async function postToAcs(action: string, samlResponse: string, relayState?: string) {
    const res = await fetch(action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: samlResponse, ...(relayState ? { RelayState: relayState } : {}) }),
    });
    return { status: res.status, body: await res.text() };
  }

  it("shows the Identity Center tile, auto-posts to the instance's ACS, and the access portal lists the account", async () => {
    const session = await portalSession("alice@example.com", "alice-password-1");
    const home = await server.inject({ method: "GET", url: "/", cookies: { rb_session: session } });
    expect(home.body).toContain('href="/app/aws-sso/sso/saml"');
    expect(home.body).toContain("AWS IAM Identity Center");

    const sso = await server.inject({ method: "GET", url: "/app/aws-sso/sso/saml", cookies: { rb_session: session } });
    expect(sso.statusCode).toBe(200);
    const acs = sandbox.identityCenter.acsUrl(tenant);
    expect(sso.body).toContain(`action="${acs}"`);
    expect(String(sso.headers["content-security-policy"])).toContain(`form-action ${new URL(acs).origin}`);
    const samlResponse = hidden(sso.body, "SAMLResponse")!;
    const xml = Buffer.from(samlResponse, "base64").toString("utf8");
    expect(xml).toContain(`Recipient="${sandbox.identityCenter.samlRecipient(tenant)}"`);
    expect(xml).not.toContain("https://aws.amazon.com/SAML/Attributes/Role");

    const portal = await postToAcs(acs, samlResponse);
    expect(reasonOf(portal.body)).toBeUndefined();
    expect(portal.status).toBe(200);
    expect(portal.body).toContain('data-user-name="alice@example.com"');
    expect(portal.body).toContain(`data-account-id="${PROD}"`);
    expect(portal.body).toContain("northamerica-production");
    expect(portal.body).toContain('<li class="permission-set">AdministratorAccess</li>');

    const log = await runtime.store.log.list({}, { limit: 200 });
    expect(JSON.stringify(log)).toContain("user.authentication.sso");
  });

  it("starts from the access portal URL (SP-initiated): AuthnRequest, sign-in at rolebridge, InResponseTo", async () => {
    const start = await fetch(sandbox.identityCenter.portalUrl(tenant), { redirect: "manual" });
    expect(start.status).toBe(302);
    const toIdp = new URL(String(start.headers.get("location")));
    expect(`${toIdp.origin}${toIdp.pathname}`).toBe("https://idp.example.com/app/aws-sso/sso/saml");
    const path = `${toIdp.pathname}${toIdp.search}`;
    const anonymous = await server.inject({ method: "GET", url: path });
    expect(anonymous.statusCode).toBe(303);
    expect(String(anonymous.headers.location)).toMatch(/^\/login\?next=/);

    const session = await portalSession("alice@example.com", "alice-password-1");
    const sso = await server.inject({ method: "GET", url: path, cookies: { rb_session: session } });
    expect(sso.statusCode).toBe(200);
    const samlResponse = hidden(sso.body, "SAMLResponse")!;
    const requestId = /ID="([^"]+)"/.exec(
      inflateRawSync(Buffer.from(toIdp.searchParams.get("SAMLRequest")!, "base64")).toString("utf8"),
    )?.[1];
    expect(Buffer.from(samlResponse, "base64").toString("utf8")).toContain(`InResponseTo="${requestId}"`);
    const portal = await postToAcs(sandbox.identityCenter.acsUrl(tenant), samlResponse);
    expect([portal.status, reasonOf(portal.body)]).toEqual([200, undefined]);
    expect(portal.body).toContain('data-user-name="alice@example.com"');
  });

  it("gives a person who is not assigned a clear page, no Response and no tile", async () => {
    const session = await portalSession("bob@example.com", "bob-password-1");
    const home = await server.inject({ method: "GET", url: "/", cookies: { rb_session: session } });
    expect(home.body).not.toContain("/app/aws-sso/sso/saml");
    const sso = await server.inject({ method: "GET", url: "/app/aws-sso/sso/saml", cookies: { rb_session: session } });
    expect(sso.statusCode).toBe(403);
    expect(sso.body).toContain("not assigned");
    expect(sso.body).not.toContain("SAMLResponse");
  });

  it("a person assigned but not provisioned is refused by AWS (the sandbox), not by rolebridge", async () => {
    const session = await portalSession("carol@example.com", "carol-password-1");
    const sso = await server.inject({ method: "GET", url: "/app/aws-sso/sso/saml", cookies: { rb_session: session } });
    expect(sso.statusCode).toBe(200);
    const refused = await postToAcs(sandbox.identityCenter.acsUrl(tenant), hidden(sso.body, "SAMLResponse")!);
    expect(refused.status).toBe(400);
    expect(reasonOf(refused.body)).toBe("No provisioned user has the userName carol@example.com");
    expect(refused.body).not.toContain(`data-account-id`);
  });

  it("refuses a tampered Response, and one signed by another IdP", async () => {
    const deps = {
      store: runtime.store,
      keys: runtime.signingKeys,
      publicUrl: runtime.publicUrl,
      clock: runtime.clock,
    };
    const acs = sandbox.identityCenter.acsUrl(tenant);
    const signIn = await buildIdentityCenterSignIn(deps, app, await runtime.directory.users.get("alice@example.com"));
    const tamperedXml = signIn.response.xml.replaceAll(">alice@example.com<", ">bob@example.com<");
    expect(tamperedXml).not.toBe(signIn.response.xml);
    const tampered = await postToAcs(acs, Buffer.from(tamperedXml, "utf8").toString("base64"));
    expect(tampered.status).toBe(400);
    expect(reasonOf(tampered.body)).toBe("Response signature invalid");

    const other = await createAppWithKey(runtime, actor, {
      slug: "aws-sso-other",
      type: "aws-iam-identity-center",
      label: "Another Identity Center",
      settings: { saml: app.settings.saml as Record<string, unknown> },
    });
    await runtime.apps.assign(actor, other.id, "user", "alice@example.com", {});
    const foreign = await buildIdentityCenterSignIn(
      deps,
      other,
      await runtime.directory.users.get("alice@example.com"),
    );
    const refused = await postToAcs(acs, foreign.response.base64);
    expect(refused.status).toBe(400);
    expect(reasonOf(refused.body)).toMatch(/signature invalid|Issuer does not match/);

    // The genuine Response still opens the portal: the refusals above were the changes, not the setup.
    expect((await postToAcs(acs, signIn.response.base64)).status).toBe(200);
  });
});
