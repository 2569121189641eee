import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { SAML } from "@node-saml/node-saml";
import { DOMParser } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";
import {
  createXmlSigner,
  generateSigningKey,
  type SamlResponseOptions,
  type SigningKeyMaterial,
  type XmlSigner,
} from "../../../src/core/saml/index.js";

const run = promisify(execFile);

export interface TestKey {
  material: SigningKeyMaterial;
  signer: XmlSigner;
}

let shared: Promise<TestKey> | undefined;

/** One 2048-bit key per test file: generation is the slow part. */
export function testKey(): Promise<TestKey> {
  shared ??= generateSigningKey({ commonName: "rolebridge test" }).then((material) => ({
    material,
    signer: createXmlSigner(material.privateKeyPem, material.certificatePem),
  }));
  return shared;
}

export const ROLE_A = {
  roleArn: "arn:aws:iam::111111111111:role/Admin",
  providerArn: "arn:aws:iam::111111111111:saml-provider/rolebridge",
};
export const ROLE_B = {
  roleArn: "arn:aws:iam::222222222222:role/team/Read.Only@x",
  providerArn: "arn:aws:iam::222222222222:saml-provider/corp-idp",
};

export function baseOptions(overrides: Partial<SamlResponseOptions> = {}): SamlResponseOptions {
  return {
    issuer: "https://idp.example.com/saml/metadata",
    partition: "aws",
    nameId: "alice@example.com",
    nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    roles: [ROLE_A, ROLE_B],
    roleSessionName: "alice@example.com",
    sessionDurationSeconds: 3600,
    ...overrides,
  };
}

export function parseXml(xml: string) {
  return new DOMParser().parseFromString(xml, "text/xml");
}

/** xml-crypto: verifies every ds:Signature in the document with our certificate. */
export function verifyWithXmlCrypto(xml: string, certificatePem: string): { valid: boolean; count: number } {
  const doc = parseXml(xml);
  const signatures = doc.getElementsByTagNameNS("http://www.w3.org/2000/09/xmldsig#", "Signature");
  let valid = signatures.length > 0;
  for (let i = 0; i < signatures.length; i += 1) {
    const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signatures.item(i)! as unknown as Parameters<SignedXml["loadSignature"]>[0]);
    try {
      if (!verifier.checkSignature(xml)) valid = false;
    } catch {
      valid = false;
    }
  }
  return { valid, count: signatures.length };
}

/** node-saml configured as AWS's SP would be. */
export async function verifyWithNodeSaml(
  base64: string,
  certificatePem: string,
  expect: { wantAssertionsSigned: boolean; wantAuthnResponseSigned: boolean },
  sp: { audience: string; acsUrl: string } = {
    audience: "urn:amazon:webservices",
    acsUrl: "https://signin.aws.amazon.com/saml",
  },
) {
  const saml = new SAML({
    idpCert: certificatePem,
    issuer: sp.audience,
    audience: sp.audience,
    callbackUrl: sp.acsUrl,
    wantAssertionsSigned: expect.wantAssertionsSigned,
    wantAuthnResponseSigned: expect.wantAuthnResponseSigned,
    validateInResponseTo: "never" as never,
  });
  return saml.validatePostResponseAsync({ SAMLResponse: base64 });
}

const ASSERTION_SIGNATURE_XPATH =
  "//*[local-name()='Assertion']/*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']";
const RESPONSE_SIGNATURE_XPATH =
  "/*[local-name()='Response']/*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']";

/** xmlsec1 verifies one signature per run; returns whether it verified (exit code 0). */
export async function verifyWithXmlsec1(
  xml: string,
  certificatePem: string,
  which: "response" | "assertion",
): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), "rolebridge-xmlsec-"));
  try {
    await writeFile(join(dir, "cert.pem"), certificatePem);
    await writeFile(join(dir, "response.xml"), xml);
    const args = [
      "--verify",
      "--pubkey-cert-pem",
      join(dir, "cert.pem"),
      "--id-attr:ID",
      "urn:oasis:names:tc:SAML:2.0:protocol:Response",
      "--id-attr:ID",
      "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
      "--node-xpath",
      which === "response" ? RESPONSE_SIGNATURE_XPATH : ASSERTION_SIGNATURE_XPATH,
      join(dir, "response.xml"),
    ];
    try {
      const { stdout, stderr } = await run("xmlsec1", args);
      return { ok: true, output: stdout + stderr };
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
