import { createHash, generateKeyPair, X509Certificate as NodeX509Certificate, randomBytes, sign } from "node:crypto";
import { promisify } from "node:util";
import { SamlKeyError } from "./errors.js";
import {
  bitString,
  booleanTrue,
  explicit,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
} from "./x509-der.js";

const generateKeyPairAsync = promisify(generateKeyPair);

export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];

export interface GenerateSigningKeyOptions {
  /** Default 2048: the fastest size AWS accepts with margin (it requires ≥ 1024 bits). */
  modulusLength?: RsaKeySize;
  /** Certificate subject CN; AWS ignores it, admins see it. */
  commonName?: string;
  notBefore?: Date;
  /** Default 10 years: AWS does not check expiry of SAML signing certificates; rotation is explicit. */
  validityDays?: number;
}

export interface SigningKeyMaterial {
  /** PKCS#8 PEM. Plaintext: the caller (storage) encrypts it at rest. */
  privateKeyPem: string;
  certificatePem: string;
  /** Lowercase hex SHA-256 of the DER certificate, to name keys in the UI and logs. */
  fingerprintSha256: string;
  modulusLength: RsaKeySize;
  notBefore: Date;
  notAfter: Date;
}

const DAY_MS = 86_400_000;

const SHA256_WITH_RSA = sequence(objectIdentifier("1.2.840.113549.1.1.11"), nullValue());
const COMMON_NAME = "2.5.4.3";
const BASIC_CONSTRAINTS = "2.5.29.19";
const KEY_USAGE = "2.5.29.15";

function pem(label: string, der: Buffer): string {
  const body = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join("\n")}\n-----END ${label}-----\n`;
}

/** Generates an RSA keypair and a self-signed X.509 v3 certificate for SAML signing (node:crypto only). */
export async function generateSigningKey(options: GenerateSigningKeyOptions = {}): Promise<SigningKeyMaterial> {
  const modulusLength = options.modulusLength ?? 2048;
  if (!RSA_KEY_SIZES.includes(modulusLength)) {
    throw new SamlKeyError(`modulus length ${modulusLength} is not one of ${RSA_KEY_SIZES.join(", ")}`);
  }
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", { modulusLength, publicExponent: 0x10001 });
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + (options.validityDays ?? 3650) * DAY_MS);
  const name = sequence(
    set(sequence(objectIdentifier(COMMON_NAME), utf8String(options.commonName ?? "rolebridge SAML signing"))),
  );
  const extensions = sequence(
    sequence(objectIdentifier(BASIC_CONSTRAINTS), booleanTrue(), octetString(sequence())),
    // digitalSignature only: bit 0, so one byte 0x80 with 7 unused bits.
    sequence(objectIdentifier(KEY_USAGE), booleanTrue(), octetString(bitString(Buffer.from([0x80]), 7))),
  );
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(randomBytes(16)),
    SHA256_WITH_RSA,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(3, extensions),
  );
  const certificateDer = sequence(tbs, SHA256_WITH_RSA, bitString(sign("sha256", tbs, privateKey)));
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    certificatePem: pem("CERTIFICATE", certificateDer),
    fingerprintSha256: createHash("sha256").update(certificateDer).digest("hex"),
    modulusLength,
    notBefore,
    notAfter,
  };
}
/** The base64 DER body of a PEM certificate, as `ds:X509Certificate` carries it. */
export function certificateBase64(certificatePem: string): string {
  try {
    return new NodeX509Certificate(certificatePem).raw.toString("base64");
  } catch (error) {
    throw new SamlKeyError(`certificate is not a valid PEM X.509 certificate (${(error as Error).message})`);
  }
}
