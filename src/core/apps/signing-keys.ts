import type { Repos, Store } from "../../store/contract.js";
import { type Actor, appTarget, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { generateSigningKey, type RsaKeySize } from "../saml/keys.js";
import { buildIdpMetadata } from "../saml/metadata.js";
import { createXmlSigner, type XmlSigner } from "../saml/signature.js";
import type { App, SigningKey } from "./model.js";

const PUBLISHED: ReadonlySet<SigningKey["state"]> = new Set(["next", "active", "previous"]);

/**
 * Where an app's IdP lives under the public URL. The entityID is the one fixed in the app's settings at
 * creation; only an app without one (made before it was recorded) derives it from the current URL.
 */
export function idpUrls(publicUrl: string, app: Pick<App, "slug"> & { settings?: Record<string, unknown> }) {
  const base = `${publicUrl.replace(/\/+$/, "")}/app/${app.slug}`;
  const fixed = app.settings?.idpEntityId;
  return { entityId: typeof fixed === "string" ? fixed : `${base}/saml/metadata`, ssoUrl: `${base}/sso/saml` };
}

/**
 * SAML signing keys per app. Private keys are sealed under the master key with the key id as context.
 * Rotation without a broken sign-in: add a next key (published beside the active one; upload the
 * metadata to AWS), activate it (the old key stays published as previous), then retire the old key.
 */
export class SigningKeyService {
  readonly #signers = new Map<string, XmlSigner>();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(actor: Actor, app: App, state: "active" | "next", bits: RsaKeySize = 2048): Promise<SigningKey> {
    const existing = await this.store.signingKeys.listForApp(app.id);
    if (existing.some((k) => k.state === state)) {
      const which = state === "active" ? "an active" : "a next";
      throw new DomainError("conflict", `app ${app.slug} already has ${which} key`, { state });
    }
    const write = await this.prepare(actor, app.slug, state, bits);
    return this.store.transaction((tx) => write(tx, app));
  }

  /**
   * Generates the key material first (RSA generation is slow and must not hold a transaction open)
   * and returns the write, to run inside the caller's transaction.
   */
  async prepare(
    actor: Actor,
    label: string,
    state: "active" | "next",
    bits: RsaKeySize = 2048,
  ): Promise<(tx: Repos, app: App) => Promise<SigningKey>> {
    const id = newId("key");
    const material = await generateSigningKey({
      modulusLength: bits,
      commonName: `rolebridge ${label}`,
      notBefore: this.clock.now(),
    });
    const at = this.clock.now().toISOString();
    return async (tx, app) => {
      const key = await tx.signingKeys.insert({
        id,
        appId: app.id,
        state,
        bits,
        certificatePem: material.certificatePem,
        privateKeySealed: this.secrets.seal(material.privateKeyPem, `signing-key:${id}`),
        notAfter: material.notAfter.toISOString(),
        created: at,
      });
      await tx.log.append(
        logEvent(this.clock, actor, "application.signing_key.create", appTarget(app), {
          keyId: id,
          state,
          bits,
          fingerprintSha256: material.fingerprintSha256,
        }),
      );
      return key;
    };
  }

  /** The next key starts signing; the active one stays published as previous until retired. */
  async activateNext(actor: Actor, app: App): Promise<SigningKey> {
    const keys = await this.store.signingKeys.listForApp(app.id);
    const next = keys.find((k) => k.state === "next");
    if (!next) throw new DomainError("conflict", `app ${app.slug} has no next key to activate; add one first`);
    if (keys.some((k) => k.state === "previous")) {
      throw new DomainError("conflict", `retire the previous key of ${app.slug} before rotating again`);
    }
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      for (const k of keys.filter((k) => k.state === "active")) await tx.signingKeys.setState(k.id, "previous", at);
      const activated = await tx.signingKeys.setState(next.id, "active", at);
      await tx.log.append(
        logEvent(this.clock, actor, "application.signing_key.activate", appTarget(app), {
          keyId: next.id,
        }),
      );
      return activated ?? next;
    });
  }

  async retire(actor: Actor, app: App, keyId: string): Promise<SigningKey> {
    const key = (await this.store.signingKeys.listForApp(app.id)).find((k) => k.id === keyId);
    if (!key) throw new DomainError("not_found", `app ${app.slug} has no key ${keyId}`);
    if (key.state === "active")
      throw new DomainError("illegal_transition", "the active key cannot be retired; activate another first");
    if (key.state === "retired") return key;
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const retired = await tx.signingKeys.setState(key.id, "retired", at);
      await tx.log.append(logEvent(this.clock, actor, "application.signing_key.retire", appTarget(app), { keyId }));
      this.#signers.delete(key.id);
      return retired ?? key;
    });
  }

  list(app: App): Promise<SigningKey[]> {
    return this.store.signingKeys.listForApp(app.id);
  }

  /** The signer of the active key, parsed once per key and kept: sign-in calls this per response. */
  /**
   * The app's active key and its signer. `known` is the active key read with the app in the same statement
   * (null: it has none); without it the keys are read. The signer is kept per key id: a key's material never
   * changes under its id, and which key is active is read at every call.
   */
  async activeSigner(app: App, known?: SigningKey | null): Promise<{ key: SigningKey; signer: XmlSigner }> {
    const key =
      known !== undefined ? known : (await this.store.signingKeys.listForApp(app.id)).find((k) => k.state === "active");
    if (!key) throw new DomainError("conflict", `app ${app.slug} has no active signing key`);
    let signer = this.#signers.get(key.id);
    if (!signer) {
      signer = createXmlSigner(this.secrets.open(key.privateKeySealed, `signing-key:${key.id}`), key.certificatePem);
      this.#signers.set(key.id, signer);
    }
    return { key, signer };
  }

  /** IdP metadata to upload to AWS: every published key, so rotation never breaks sign-in. */
  async metadata(app: App, publicUrl: string): Promise<string> {
    const keys = (await this.store.signingKeys.listForApp(app.id)).filter((k) => PUBLISHED.has(k.state));
    const urls = idpUrls(publicUrl, app);
    return buildIdpMetadata({
      entityId: urls.entityId,
      signingCertificates: keys.map((k) => k.certificatePem),
      singleSignOnService: { post: urls.ssoUrl, redirect: urls.ssoUrl },
    });
  }
}
