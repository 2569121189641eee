import { randomBytes, verify, X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../../src/core/apps/model.js";
import { AppService } from "../../../src/core/apps/service.js";
import { SigningKeyService } from "../../../src/core/apps/signing-keys.js";
import type { Actor } from "../../../src/core/audit.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const certCount = (xml: string) => (xml.match(/<ds:X509Certificate>/g) ?? []).length;

describe.each(backends)("SAML signing keys and rotation on $name", (backend) => {
  let store: Store;
  let keys: SigningKeyService;
  let app: App;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    keys = new SigningKeyService(store, new SecretBox(randomBytes(32)));
    app = await new AppService(store).create(actor, { slug: "aws-keys", type: "aws-account-federation", label: "AWS" });
  });
  afterAll(async () => cleanup?.());

  it("creates an active key whose private half is sealed at rest and which signs verifiably", async () => {
    const key = await keys.create(actor, app, "active");
    expect(key.privateKeySealed.startsWith("rbs1.")).toBe(true);
    expect(key.privateKeySealed).not.toContain("PRIVATE KEY");
    const { signer } = await keys.activeSigner(app);
    const sig = Buffer.from(signer.signBase64("<SignedInfo/>"), "base64");
    const cert = new X509Certificate(key.certificatePem);
    expect(verify("sha256", Buffer.from("<SignedInfo/>"), cert.publicKey, sig)).toBe(true);
    expect(verify("sha256", Buffer.from("<SignedInfo />"), cert.publicKey, sig)).toBe(false);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it("rotates: next is published beside active, activation keeps the old one published until retired", async () => {
    const url = "https://idp.example.com";
    expect(certCount(await keys.metadata(app, url))).toBe(1);
    const first = (await keys.list(app))[0]!;
    const next = await keys.create(actor, app, "next", 3072);
    expect(certCount(await keys.metadata(app, url))).toBe(2);
    await expect(keys.create(actor, app, "next")).rejects.toBeInstanceOf(DomainError);
    await keys.activateNext(actor, app);
    expect((await keys.activeSigner(app)).key.id).toBe(next.id);
    expect(certCount(await keys.metadata(app, url))).toBe(2);
    await expect(keys.retire(actor, app, next.id)).rejects.toThrow(/active key cannot be retired/);
    await keys.retire(actor, app, first.id);
    const metadata = await keys.metadata(app, url);
    expect(certCount(metadata)).toBe(1);
    expect(metadata).toContain('entityID="https://idp.example.com/app/aws-keys/saml/metadata"');
    expect((await keys.list(app)).map((k) => k.state)).toEqual(["retired", "active"]);
  });
});
