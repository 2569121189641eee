import { inflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../../src/sandbox/index.js";
import { type AssertionOptions, idpMetadata, OTHER_KEY, samlResponse } from "../helpers/saml.js";
import { group, patch, type Scim, sandboxWithInstance, user } from "./helpers.js";

const TENANT = "d-7777777777";
let sandbox: SandboxHandle;
let scim: Scim;

beforeAll(async () => {
  ({ sandbox, scim } = await sandboxWithInstance(TENANT));
  const admin = sandbox.identityCenter.admin;
  admin.setSamlMetadata(TENANT, idpMetadata());
  const alice = await scim("POST", "/Users", user("alice@example.com"));
  await scim("POST", "/Users", user("bob@example.com", { active: false }));
  await scim("POST", "/Groups", group("aws-admins", { members: [{ value: alice.body.id }] }));
  await scim("POST", "/Groups", group("aws-readers", { members: [{ value: alice.body.id }] }));
  await scim("POST", "/Groups", group("unrelated"));
  admin.createPermissionSet(TENANT, { name: "AdministratorAccess" });
  admin.createPermissionSet(TENANT, { name: "ReadOnlyAccess" });
  admin.assign(TENANT, { permissionSet: "AdministratorAccess", group: "aws-admins", accountId: "222233334444" });
  admin.assign(TENANT, { permissionSet: "ReadOnlyAccess", group: "aws-readers", accountId: "222233334444" });
  admin.assign(TENANT, { permissionSet: "ReadOnlyAccess", group: "aws-readers", accountId: "111122223333" });
  admin.assign(TENANT, { permissionSet: "AdministratorAccess", group: "unrelated", accountId: "555566667777" });
});
afterAll(() => sandbox.close());

async function signIn(
  options: Partial<AssertionOptions> & { nameId: string },
  url = sandbox.identityCenter.acsUrl(TENANT),
) {
  const SAMLResponse = samlResponse({
    roles: [],
    recipient: sandbox.identityCenter.samlRecipient(TENANT),
    audience: sandbox.identityCenter.samlAudience(TENANT),
    ...options,
  });
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ SAMLResponse }),
  });
  const html = await response.text();
  return { status: response.status, html, reason: /<div id="sandbox-reason" hidden>([^<]*)</.exec(html)?.[1] };
}

describe("Identity Center SAML sign-in", () => {
  it("uses the instance's regional ACS and SP entity id", () => {
    expect(sandbox.identityCenter.samlRecipient(TENANT)).toBe(
      `https://us-east-1.signin.aws/platform/saml/acs/${TENANT}`,
    );
    expect(sandbox.identityCenter.samlAudience(TENANT)).toBe(`https://us-east-1.signin.aws/platform/saml/${TENANT}`);
    expect(sandbox.identityCenter.acsUrl(TENANT)).toBe(
      `${sandbox.url}/signin/us-east-1.signin.aws/platform/saml/acs/${TENANT}`,
    );
  });

  it("opens the portal with the accounts and permission sets reached through the user's groups", async () => {
    const page = await signIn({ nameId: "Alice@Example.com" });
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-user-name="alice@example.com"');
    const accounts = [
      ...page.html.matchAll(
        /<li class="account" data-account-id="(\d+)"><span class="account-name">([^<]+)<\/span>.*?<ul class="permission-sets">(.*?)<\/ul>/g,
      ),
    ].map((m) => [m[1], m[2], [...(m[3] ?? "").matchAll(/<li class="permission-set">([^<]+)</g)].map((p) => p[1])]);
    expect(accounts).toEqual([
      ["111122223333", "acme-management", ["ReadOnlyAccess"]],
      ["222233334444", "northamerica-production", ["AdministratorAccess", "ReadOnlyAccess"]],
    ]);
  });

  it("refuses a NameID that is not a provisioned userName", async () => {
    const page = await signIn({ nameId: "mallory@example.com" });
    expect(page.status).toBe(400);
    expect(page.reason).toContain("No provisioned user");
  });

  it("refuses an inactive user, including one deactivated by PATCH", async () => {
    expect((await signIn({ nameId: "bob@example.com" })).reason).toContain("not active");
    const carol = await scim("POST", "/Users", user("carol@example.com"));
    expect((await signIn({ nameId: "carol@example.com" })).status).toBe(200);
    await scim("PATCH", `/Users/${carol.body.id}`, patch({ op: "replace", value: { active: false } }));
    const page = await signIn({ nameId: "carol@example.com" });
    expect(page.status).toBe(400);
    expect(page.reason).toContain("not active");
  });

  it("refuses a response signed by another key, for another recipient or audience", async () => {
    expect((await signIn({ nameId: "alice@example.com", signingKey: OTHER_KEY })).reason).toBe(
      "Response signature invalid",
    );
    expect(
      (await signIn({ nameId: "alice@example.com", recipient: "https://signin.aws.amazon.com/saml" })).reason,
    ).toMatch(/^Recipient/);
    expect((await signIn({ nameId: "alice@example.com", audience: "urn:amazon:webservices" })).reason).toMatch(
      /^Audience/,
    );
    expect((await signIn({ nameId: "alice@example.com", notOnOrAfter: -120 })).reason).toBe("Response has expired");
    // AWS documents no clock skew: none is allowed.
    expect((await signIn({ nameId: "alice@example.com", notOnOrAfter: -20 })).reason).toBe("Response has expired");
  });

  it("opens the portal once per Response: a replay is refused", async () => {
    const SAMLResponse = samlResponse({
      roles: [],
      nameId: "alice@example.com",
      recipient: sandbox.identityCenter.samlRecipient(TENANT),
      audience: sandbox.identityCenter.samlAudience(TENANT),
    });
    const post = () =>
      fetch(sandbox.identityCenter.acsUrl(TENANT), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ SAMLResponse }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/already been used/);
  });

  it("starts SP-initiated sign-in from the access portal URL: an AuthnRequest to the IdP's SSO endpoint", async () => {
    const start = await fetch(sandbox.identityCenter.portalUrl(TENANT), { redirect: "manual" });
    expect(start.status).toBe(302);
    const location = new URL(String(start.headers.get("location")));
    expect(`${location.origin}${location.pathname}`).toBe("https://idp.rolebridge.test/sso");
    const xml = inflateRawSync(Buffer.from(location.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    expect(xml).toMatch(/^<samlp:AuthnRequest /);
    expect(xml).toContain(`AssertionConsumerServiceURL="${sandbox.identityCenter.samlRecipient(TENANT)}"`);
    expect(xml).toContain(`<saml:Issuer>${sandbox.identityCenter.samlAudience(TENANT)}</saml:Issuer>`);
    expect(xml).toMatch(/ID="_[0-9a-f]{32}"/);
  });

  it("answers 404 at an ACS no instance owns", async () => {
    const wrongRegion = sandbox.identityCenter.acsUrl(TENANT).replace("us-east-1", "eu-west-1");
    expect((await signIn({ nameId: "alice@example.com" }, wrongRegion)).status).toBe(404);
    const unknown = sandbox.identityCenter.acsUrl(TENANT).replace(TENANT, "d-0000000000");
    expect((await signIn({ nameId: "alice@example.com" }, unknown)).status).toBe(404);
  });
});
