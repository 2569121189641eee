import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAwsSignIn } from "../../../src/core/apps/aws-sign-in.js";
import type { App } from "../../../src/core/apps/model.js";
import { AppService } from "../../../src/core/apps/service.js";
import { SigningKeyService } from "../../../src/core/apps/signing-keys.js";
import type { Actor } from "../../../src/core/audit.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import { systemClock } from "../../../src/core/ids.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";
import { parseXml, verifyWithXmlCrypto } from "../saml/helpers.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const ACCOUNT = "123456789012";
const PUBLIC_URL = "https://idp.example.com";

describe.each(backends)("AWS sign-in response for a directory user on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let keys: SigningKeyService;
  let app: App;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    dir = directory(store);
    keys = new SigningKeyService(store, new SecretBox(randomBytes(32)));
    const apps = new AppService(store);
    app = await apps.create(actor, {
      slug: "aws-signin",
      type: "aws-account-federation",
      label: "AWS",
      settings: {
        useGroupMapping: true,
        appFilter: "active_directory",
        defaultSamlProviderName: "rolebridge",
        sourceIdentitySource: "login",
        principalTags: { Department: "lastName", Given: "firstName", Name: "displayName" },
      },
    });
    await keys.create(actor, app, "active");
    const roleGroup = await dir.groups.create(actor, { name: `aws#prod#Admin#${ACCOUNT}`, source: "active_directory" });
    const other = await dir.groups.create(actor, { name: `aws#prod#Read.Only#${ACCOUNT}`, source: "active_directory" });
    await apps.assign(actor, app.id, "group", roleGroup.id, {});
    await apps.assign(actor, app.id, "group", other.id, {});
    const hostile = await dir.users.create(actor, {
      profile: {
        login: "o'brien&co--ünï@example.com",
        email: "hostile@example.com",
        firstName: "<script>",
        lastName: 'R&D "core" -->',
        displayName: "ünïcødé ".repeat(20).trim(),
      },
    });
    await dir.groups.addMember(actor, roleGroup.id, hostile.id);
    await dir.groups.addMember(actor, other.id, hostile.id);
    await dir.users.create(actor, {
      profile: {
        login: "norole@example.com",
        email: "norole@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
  });
  afterAll(async () => cleanup?.());

  const deps = () => ({ store, keys, publicUrl: PUBLIC_URL, clock: systemClock });

  it("signs a response whose XML survives hostile user fields and verifies with xml-crypto", async () => {
    const user = await dir.users.get("o'brien&co--ünï@example.com");
    const signIn = await buildAwsSignIn(deps(), app, user);
    expect(signIn.acsUrl).toBe("https://signin.aws.amazon.com/saml");
    const xml = Buffer.from(signIn.response.base64, "base64").toString("utf8");
    const cert = (await keys.list(app))[0]!.certificatePem;
    expect(verifyWithXmlCrypto(xml, cert)).toEqual({ valid: true, count: 2 });
    const doc = parseXml(xml);
    const values = (name: string) => {
      const attrs = doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Attribute");
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i)!;
        if (a.getAttribute("Name") === `https://aws.amazon.com/SAML/Attributes/${name}`) {
          const v = a.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "AttributeValue");
          return Array.from({ length: v.length }, (_, j) => v.item(j)!.textContent);
        }
      }
      return [];
    };
    expect(values("Role")).toHaveLength(2);
    // AWS refuses & " < > in tag values: that tag is left out (and reported), the others go through.
    expect(values("PrincipalTag:Department")).toEqual([]);
    expect(values("PrincipalTag:Given")).toEqual([]);
    expect(signIn.omittedTags).toEqual(["Department", "Given"]);
    expect(values("PrincipalTag:Name")).toEqual(["ünïcødé ".repeat(20).trim()]);
    const [sessionName] = values("RoleSessionName");
    expect(sessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(values("SourceIdentity")).toEqual([sessionName]);
    expect(doc.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Issuer").item(0)?.textContent).toBe(
      `${PUBLIC_URL}/app/aws-signin/saml/metadata`,
    );
  });

  it("a tampered response no longer verifies", async () => {
    const signIn = await buildAwsSignIn(deps(), app, await dir.users.get("o'brien&co--ünï@example.com"));
    const xml = Buffer.from(signIn.response.base64, "base64").toString("utf8").replace("role/Admin", "role/Root");
    expect(verifyWithXmlCrypto(xml, (await keys.list(app))[0]!.certificatePem).valid).toBe(false);
  });

  it("refuses a user with no role, or not assigned, with a clear reason and no assertion", async () => {
    const err = await buildAwsSignIn(deps(), app, await dir.users.get("norole@example.com")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).details.reason).toBe("not_assigned");
    await new AppService(store).assign(actor, app.id, "user", "norole@example.com", {});
    const none = await buildAwsSignIn(deps(), app, await dir.users.get("norole@example.com")).catch((e: unknown) => e);
    expect((none as DomainError).details.reason).toBe("no_roles");
    expect((none as DomainError).message).toMatch(/no AWS role in AWS/);
  });
});
