import { execFile } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  BINDING,
  buildIdpMetadata,
  createXmlSigner,
  generateSigningKey,
  SamlConfigurationError,
  SamlKeyError,
} from "../../../src/core/saml/index.js";
import { parseXml, testKey } from "./helpers.js";

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS = "http://www.w3.org/2000/09/xmldsig#";

describe("generateSigningKey", () => {
  it("returns a 2048-bit RSA key and a valid self-signed certificate for it", async () => {
    const { material } = await testKey();
    const certificate = new X509Certificate(material.certificatePem);
    const privateKey = createPrivateKey(material.privateKeyPem);
    expect(material.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.subject).toBe("CN=rolebridge test");
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(privateKey)).toBe(true);
    expect(certificate.ca).toBe(false);
    expect(new Date(certificate.validFrom).getTime()).toBe(material.notBefore.getTime());
    expect(new Date(certificate.validTo).getTime()).toBe(material.notAfter.getTime());
    expect(material.fingerprintSha256).toBe(certificate.fingerprint256.replace(/:/g, "").toLowerCase());
  });

  it("is accepted by OpenSSL (through xmlsec1's loader) as a certificate", async () => {
    const { material } = await testKey();
    const dir = await mkdtemp(join(tmpdir(), "rolebridge-cert-"));
    try {
      await writeFile(join(dir, "cert.pem"), material.certificatePem);
      const { stdout } = await promisify(execFile)("openssl", [
        "x509",
        "-in",
        join(dir, "cert.pem"),
        "-noout",
        "-text",
      ]);
      expect(stdout).toContain("Signature Algorithm: sha256WithRSAEncryption");
      expect(stdout).toContain("Public-Key: (2048 bit)");
      expect(stdout).toContain("Digital Signature");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("supports 3072-bit keys, dates after 2049 and refuses other sizes", async () => {
    const material = await generateSigningKey({ modulusLength: 3072, notBefore: new Date("2049-06-01T00:00:00Z") });
    const certificate = new X509Certificate(material.certificatePem);
    expect(createPrivateKey(material.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(new Date(certificate.validTo).getUTCFullYear()).toBe(2059);
    await expect(generateSigningKey({ modulusLength: 1024 as never })).rejects.toThrow(SamlKeyError);
  });

  it("refuses a certificate that does not match the private key", async () => {
    const { material } = await testKey();
    const other = await generateSigningKey();
    expect(() => createXmlSigner(material.privateKeyPem, other.certificatePem)).toThrow(/does not match/);
    expect(() => createXmlSigner("not a key", material.certificatePem)).toThrow(SamlKeyError);
  });
});

describe("buildIdpMetadata", () => {
  it("publishes every signing certificate (rotation), NameID formats and SSO endpoints", async () => {
    const current = (await testKey()).material;
    const next = await generateSigningKey();
    const metadata = buildIdpMetadata({
      entityId: "https://idp.example.com/saml/metadata?app=1&x=2",
      signingCertificates: [current.certificatePem, next.certificatePem, current.certificatePem],
      singleSignOnService: { post: "https://idp.example.com/saml/sso", redirect: "https://idp.example.com/saml/sso" },
    });
    // IAM CreateSAMLProvider accepts 1,000 to 10,000,000 characters.
    expect(metadata.length).toBeGreaterThan(1000);
    const root = parseXml(metadata).documentElement!;
    expect(root.namespaceURI).toBe(MD);
    expect(root.localName).toBe("EntityDescriptor");
    expect(root.getAttribute("entityID")).toBe("https://idp.example.com/saml/metadata?app=1&x=2");
    const idp = root.getElementsByTagNameNS(MD, "IDPSSODescriptor").item(0)!;
    expect(idp.getAttribute("protocolSupportEnumeration")).toBe("urn:oasis:names:tc:SAML:2.0:protocol");
    const keyDescriptors = idp.getElementsByTagNameNS(MD, "KeyDescriptor");
    expect(keyDescriptors.length).toBe(2);
    const certs = Array.from({ length: 2 }, (_, i) => {
      expect(keyDescriptors.item(i)!.getAttribute("use")).toBe("signing");
      return keyDescriptors.item(i)!.getElementsByTagNameNS(DS, "X509Certificate").item(0)!.textContent;
    });
    expect(certs).toEqual([
      new X509Certificate(current.certificatePem).raw.toString("base64"),
      new X509Certificate(next.certificatePem).raw.toString("base64"),
    ]);
    const sso = idp.getElementsByTagNameNS(MD, "SingleSignOnService");
    expect([sso.item(0)!.getAttribute("Binding"), sso.item(1)!.getAttribute("Binding")]).toEqual([
      BINDING.post,
      BINDING.redirect,
    ]);
    expect(idp.getElementsByTagNameNS(MD, "NameIDFormat").length).toBe(4);
  });

  it("refuses metadata AWS could not use", async () => {
    const { material } = await testKey();
    const base = {
      entityId: "x",
      signingCertificates: [material.certificatePem],
      singleSignOnService: { post: "https://a/" },
    };
    expect(() => buildIdpMetadata({ ...base, signingCertificates: [] })).toThrow(SamlConfigurationError);
    expect(() => buildIdpMetadata({ ...base, singleSignOnService: {} })).toThrow(SamlConfigurationError);
    expect(() => buildIdpMetadata({ ...base, singleSignOnService: { post: "javascript:alert(1)" } })).toThrow(
      SamlConfigurationError,
    );
    expect(() => buildIdpMetadata({ ...base, signingCertificates: ["garbage"] })).toThrow(SamlKeyError);
  });
});
