import { deflateRawSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const ACCOUNT = "222233334444";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return all
    .find((c: string) => c.startsWith(`${name}=`))
    ?.split(";")[0]
    ?.slice(name.length + 1);
}
const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
const htmlDecode = (s: string) =>
  s
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

const authnRequest = (opts: { id?: string; issuer?: string; acs?: string } = {}) =>
  `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
  `ID="${opts.id ?? "_req1"}" Version="2.0" IssueInstant="${new Date().toISOString()}" ` +
  `AssertionConsumerServiceURL="${opts.acs ?? "https://signin.aws.amazon.com/saml"}" ` +
  `ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">` +
  `<saml:Issuer>${opts.issuer ?? "urn:amazon:webservices"}</saml:Issuer></samlp:AuthnRequest>`;
const redirectEncoded = (xml: string) => deflateRawSync(Buffer.from(xml)).toString("base64");

describe.each(backends)("SP-initiated SAML on $name", (backend) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend, { publicUrl: "https://idp.example.com" }));
    app = await buildApp(runtime);
    const actor = cliActor();
    const profile = {
      login: "sp@example.com",
      email: "sp@example.com",
      firstName: null,
      lastName: null,
      displayName: null,
    };
    const user = await runtime.directory.users.create(actor, { profile, password: "sp-password-1" });
    const aws = await runtime.apps.create(actor, {
      slug: "aws-sp",
      type: "aws-account-federation",
      label: "AWS",
      settings: { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" },
    });
    await runtime.signingKeys.create(actor, aws, "active");
    const g = await runtime.directory.groups.create(actor, {
      name: `aws#prod#Admin#${ACCOUNT}`,
      source: "active_directory",
    });
    await runtime.directory.groups.addMember(actor, g.id, user.id);
    await runtime.apps.assign(actor, aws.id, "group", g.id, {});
  });
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  async function signIn(next: string) {
    const form = await app.inject({ method: "GET", url: `/login?next=${encodeURIComponent(next)}` });
    const res = await app.inject({
      method: "POST",
      url: "/login",
      cookies: { rb_login_csrf: cookieFrom(form, "rb_login_csrf")! },
      headers: FORM,
      payload: new URLSearchParams({
        login: "sp@example.com",
        password: "sp-password-1",
        csrf: hidden(form.body, "csrf")!,
        next: htmlDecode(hidden(form.body, "next") ?? "/"),
      }).toString(),
    });
    return { res, session: cookieFrom(res, "rb_session") };
  }

  it("HTTP-Redirect: signs in first, then answers InResponseTo with the RelayState kept", async () => {
    const query = new URLSearchParams({
      SAMLRequest: redirectEncoded(authnRequest({ id: "_abc123" })),
      RelayState: "rs-1",
    });
    const url = `/app/aws-sp/sso/saml?${query}`;
    const anonymous = await app.inject({ method: "GET", url });
    expect(anonymous.statusCode).toBe(303);
    const login = new URL(String(anonymous.headers.location), "https://idp.example.com");
    expect(login.pathname).toBe("/login");
    const next = login.searchParams.get("next")!;
    expect(new URL(next, "https://idp.example.com").searchParams.get("SAMLRequest")).toBe(query.get("SAMLRequest"));

    const { res, session } = await signIn(next);
    expect(res.statusCode).toBe(303);
    const back = String(res.headers.location);
    const sso = await app.inject({ method: "GET", url: back, cookies: { rb_session: session! } });
    expect(sso.statusCode).toBe(200);
    expect(hidden(sso.body, "RelayState")).toBe("rs-1");
    const xml = Buffer.from(hidden(sso.body, "SAMLResponse")!, "base64").toString("utf8");
    expect(xml.match(/InResponseTo="_abc123"/g)).toHaveLength(2);
  });

  it("HTTP-POST: takes the request from the form and continues as a same-site GET", async () => {
    const { session } = await signIn("/");
    const posted = await app.inject({
      method: "POST",
      url: "/app/aws-sp/sso/saml",
      headers: FORM,
      payload: new URLSearchParams({
        SAMLRequest: Buffer.from(authnRequest({ id: "_post1" })).toString("base64"),
        RelayState: "rs-2",
      }).toString(),
    });
    expect(posted.statusCode).toBe(303);
    const sso = await app.inject({
      method: "GET",
      url: String(posted.headers.location),
      cookies: { rb_session: session! },
    });
    expect(sso.statusCode).toBe(200);
    expect(hidden(sso.body, "RelayState")).toBe("rs-2");
    expect(Buffer.from(hidden(sso.body, "SAMLResponse")!, "base64").toString("utf8")).toContain(
      'InResponseTo="_post1"',
    );
  });

  it("refuses a request from another issuer, for another ACS, or malformed, with 400", async () => {
    const { session } = await signIn("/");
    for (const SAMLRequest of [
      redirectEncoded(authnRequest({ issuer: "https://evil.example/sp" })),
      redirectEncoded(authnRequest({ acs: "https://evil.example/acs" })),
      redirectEncoded("<not-xml"),
      "%%%not-base64",
      redirectEncoded(
        '<!DOCTYPE x [<!ENTITY a "b">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x"/>',
      ),
    ]) {
      const res = await app.inject({
        method: "GET",
        url: `/app/aws-sp/sso/saml?${new URLSearchParams({ SAMLRequest })}`,
        cookies: { rb_session: session! },
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toContain("SAMLResponse");
    }
  });
});
