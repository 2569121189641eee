import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIdentityCenterSignIn, identityCenterSignsIn } from "../../../src/core/apps/ic-sign-in.js";
import type { App } from "../../../src/core/apps/model.js";
import { validateScimAppSettings } from "../../../src/core/apps/scim-app-settings.js";
import { AppService } from "../../../src/core/apps/service.js";
import { SigningKeyService } from "../../../src/core/apps/signing-keys.js";
import type { Actor } from "../../../src/core/audit.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import { systemClock } from "../../../src/core/ids.js";
import { buildSignedResponse } from "../../../src/core/saml/response.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";
import { parseXml, testKey, verifyWithXmlCrypto } from "../saml/helpers.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const PUBLIC_URL = "https://idp.example.com";
const ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";
const SAML = {
  acsUrl: "https://us-east-1.signin.aws/platform/saml/acs/d-1234567890",
  audience: "https://us-east-1.signin.aws/platform/saml/d-1234567890",
};

const reasonOf = (err: unknown) => (err instanceof DomainError ? err.details.reason : err);

describe("Identity Center SAML settings", () => {
  it("default the NameID format to emailAddress and keep the rest as given", () => {
    const s = validateScimAppSettings({ saml: { ...SAML, signinEndpointUrl: "http://127.0.0.1:4566/signin/x" } });
    expect(s.saml).toEqual({
      ...SAML,
      nameIdFormat: "emailAddress",
      signinEndpointUrl: "http://127.0.0.1:4566/signin/x",
    });
    expect(validateScimAppSettings({}).saml).toBeUndefined();
  });

  it.each([
    [{ ...SAML, acsUrl: "us-east-1.signin.aws/platform/saml/acs/d-1" }, "/settings/saml/acsUrl"],
    [{ ...SAML, acsUrl: "javascript:alert(1)" }, "/settings/saml/acsUrl"],
    [{ ...SAML, audience: "https://exa mple.com/x" }, "/settings/saml/audience"],
    [{ acsUrl: SAML.acsUrl }, "/settings/saml/audience"],
    [{ ...SAML, nameIdFormat: "persistent" }, "/settings/saml/nameIdFormat"],
    [{ ...SAML, roles: ["x"] }, "/settings/saml/roles"],
  ])("refuses %j at %s", (saml, path) => {
    const err = (() => {
      try {
        return validateScimAppSettings({ saml });
      } catch (e) {
        return e;
      }
    })() as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe("validation_failed");
    expect(JSON.stringify(err.details)).toContain(path);
  });
});

describe("a NameID-only Response (attributes: none)", () => {
  it("has no AttributeStatement, is addressed as given and verifies", async () => {
    const key = await testKey();
    const response = buildSignedResponse(key.signer, {
      attributes: "none",
      issuer: "https://idp.example.com/app/x/saml/metadata",
      acsUrl: SAML.acsUrl,
      audience: SAML.audience,
      nameId: "alice@example.com",
    });
    expect(response.roleCount).toBe(0);
    expect(response.xml).not.toContain("AttributeStatement");
    expect(response.xml).not.toContain("https://aws.amazon.com/SAML/Attributes");
    expect(response.xml).toContain(`Destination="${SAML.acsUrl}"`);
    expect(response.xml).toContain(`<saml:Audience>${SAML.audience}</saml:Audience>`);
    expect(verifyWithXmlCrypto(response.xml, key.material.certificatePem)).toEqual({ valid: true, count: 2 });
  });
});

describe.each(backends)("Identity Center sign-in response on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let keys: SigningKeyService;
  let apps: AppService;
  let app: App;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    dir = directory(store);
    keys = new SigningKeyService(store, new SecretBox(randomBytes(32)));
    apps = new AppService(store);
    app = await apps.create(actor, {
      slug: "aws-sso",
      type: "aws-iam-identity-center",
      label: "AWS IAM Identity Center",
      settings: { saml: SAML },
    });
    await keys.create(actor, app, "active");
    const people = await dir.groups.create(actor, { name: "aws-sso-users" });
    await apps.assign(actor, app.id, "group", people.id, {});
    for (const login of ["alice@example.com", "o'brien&co--ünï@example.com", "outsider@example.com"]) {
      const u = await dir.users.create(actor, {
        profile: { login, email: "shared@example.com", firstName: "A", lastName: "B", displayName: null },
      });
      if (login !== "outsider@example.com") await dir.groups.addMember(actor, people.id, u.id);
    }
  });
  afterAll(async () => cleanup?.());

  const deps = () => ({ store, keys, publicUrl: PUBLIC_URL, clock: systemClock });
  const certificate = async () => (await keys.list(app))[0]!.certificatePem;

  it("signs, for a person assigned through a group, a Response whose NameID is the login and that has no role", async () => {
    const user = await dir.users.get("alice@example.com");
    const signIn = await buildIdentityCenterSignIn(deps(), app, user, "https://console.aws.amazon.com/");
    expect(signIn).toMatchObject({
      acsUrl: SAML.acsUrl,
      postUrl: SAML.acsUrl,
      relayState: "https://console.aws.amazon.com/",
    });
    const xml = Buffer.from(signIn.response.base64, "base64").toString("utf8");
    expect(verifyWithXmlCrypto(xml, await certificate())).toEqual({ valid: true, count: 2 });
    const doc = parseXml(xml);
    const nameId = doc.getElementsByTagNameNS(ASSERTION_NS, "NameID").item(0)!;
    // The login, not the email (both users share one email): AWS matches the NameID to the provisioned userName.
    expect(nameId.textContent).toBe("alice@example.com");
    expect(nameId.getAttribute("Format")).toBe("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
    expect(doc.getElementsByTagNameNS(ASSERTION_NS, "SubjectConfirmationData").item(0)?.getAttribute("Recipient")).toBe(
      SAML.acsUrl,
    );
    expect(doc.documentElement?.getAttribute("Destination")).toBe(SAML.acsUrl);
    expect(doc.getElementsByTagNameNS(ASSERTION_NS, "Audience").item(0)?.textContent).toBe(SAML.audience);
    expect(doc.getElementsByTagNameNS(ASSERTION_NS, "Issuer").item(0)?.textContent).toBe(
      `${PUBLIC_URL}/app/aws-sso/saml/metadata`,
    );
    expect(doc.getElementsByTagNameNS(ASSERTION_NS, "AttributeStatement").length).toBe(0);
    expect(doc.getElementsByTagNameNS(ASSERTION_NS, "AuthnStatement").length).toBe(1);
  });

  it("escapes a hostile login, and a tampered Response no longer verifies", async () => {
    const signIn = await buildIdentityCenterSignIn(deps(), app, await dir.users.get("o'brien&co--ünï@example.com"));
    const xml = Buffer.from(signIn.response.base64, "base64").toString("utf8");
    expect(verifyWithXmlCrypto(xml, await certificate()).valid).toBe(true);
    expect(parseXml(xml).getElementsByTagNameNS(ASSERTION_NS, "NameID").item(0)?.textContent).toBe(
      "o'brien&co--ünï@example.com",
    );
    const tampered = xml.replace("o&apos;brien&amp;co", "alice").replace("o'brien&amp;co", "alice");
    expect(tampered).not.toBe(xml);
    expect(verifyWithXmlCrypto(tampered, await certificate()).valid).toBe(false);
  });

  it("posts to the sign-in endpoint stand-in when one is set, and sends the unspecified format when asked", async () => {
    const current = await apps.update(actor, app.id, {
      settings: { saml: { ...SAML, nameIdFormat: "unspecified", signinEndpointUrl: "http://127.0.0.1:1/signin/x" } },
    });
    try {
      const signIn = await buildIdentityCenterSignIn(deps(), current, await dir.users.get("alice@example.com"));
      expect(signIn).toMatchObject({ acsUrl: SAML.acsUrl, postUrl: "http://127.0.0.1:1/signin/x", relayState: null });
      expect(signIn.response.xml).toContain('Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"');
      expect(signIn.response.xml).toContain(`Recipient="${SAML.acsUrl}"`);
    } finally {
      app = await apps.update(actor, app.id, { settings: { saml: SAML } });
    }
  });

  it("refuses, with a reason and no Response, a person not assigned", async () => {
    const outsider = await dir.users.get("outsider@example.com");
    expect(reasonOf(await buildIdentityCenterSignIn(deps(), app, outsider).catch((e: unknown) => e))).toBe(
      "not_assigned",
    );
    await apps.assign(actor, app.id, "user", outsider.id, {});
    try {
      const direct = await buildIdentityCenterSignIn(deps(), app, outsider);
      expect(direct.response.xml).toContain(">outsider@example.com</saml:NameID>");
    } finally {
      await apps.unassign(actor, app.id, "user", outsider.id);
    }
  });

  it("refuses a person who is not active", async () => {
    await dir.users.transition(actor, "alice@example.com", "suspend");
    try {
      const err = await buildIdentityCenterSignIn(deps(), app, await dir.users.get("alice@example.com")).catch(
        (e: unknown) => e,
      );
      expect(reasonOf(err)).toBe("user_not_active");
      expect((err as DomainError).code).toBe("forbidden");
    } finally {
      await dir.users.transition(actor, "alice@example.com", "unsuspend");
    }
  });

  it("refuses a switched-off app", async () => {
    const off = await apps.setStatus(actor, app.id, "INACTIVE");
    try {
      const err = await buildIdentityCenterSignIn(deps(), off, await dir.users.get("alice@example.com")).catch(
        (e: unknown) => e,
      );
      expect(reasonOf(err)).toBe("app_inactive");
    } finally {
      app = await apps.setStatus(actor, app.id, "ACTIVE");
    }
  });

  it("refuses an app without SAML settings, and has no tile for it", async () => {
    const bare = await apps.create(actor, { slug: "aws-sso-bare", type: "aws-iam-identity-center", label: "Bare" });
    await keys.create(actor, bare, "active");
    await apps.assign(actor, bare.id, "user", "alice@example.com", {});
    const err = await buildIdentityCenterSignIn(deps(), bare, await dir.users.get("alice@example.com")).catch(
      (e: unknown) => e,
    );
    expect(reasonOf(err)).toBe("saml_not_configured");
    expect((err as DomainError).message).toMatch(/no SAML sign-in/);
    expect(identityCenterSignsIn(bare)).toBe(false);
    expect(identityCenterSignsIn(app)).toBe(true);
  });

  it("refuses another kind of app", async () => {
    const aws = await apps.create(actor, { slug: "aws-fed", type: "aws-account-federation", label: "AWS" });
    const err = await buildIdentityCenterSignIn(deps(), aws, await dir.users.get("alice@example.com")).catch(
      (e: unknown) => e,
    );
    expect((err as DomainError).code).toBe("conflict");
    expect(identityCenterSignsIn(aws)).toBe(false);
  });
});
