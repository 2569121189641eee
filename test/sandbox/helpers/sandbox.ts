import { Sha256 } from "@aws-crypto/sha256-js";
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";

export const MANAGEMENT = "111122223333";
export const NA_PROD = "222233334444";
export const API_USER = {
  accessKeyId: "AKIAROLEBRIDGEDEMO01",
  secretAccessKey: "rbDemoSecret/LegacyApiMode/DoNotUse+0001",
};
export const ADMIN = {
  accessKeyId: "AKIAROLEBRIDGEADMIN1",
  secretAccessKey: "rbDemoSecret/SandboxAdministrator/0002+x",
};

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** SDK v3 clients exactly as an application would build them; only the endpoint points at the sandbox. */
export function clients(sandbox: SandboxHandle, credentials: Credentials = API_USER) {
  const config = { endpoint: sandbox.url, region: "us-east-1", credentials, maxAttempts: 1 };
  return { iam: new IAMClient(config), sts: new STSClient(config), org: new OrganizationsClient(config) };
}

export const sessionCredentials = (c: {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
}): Credentials => ({
  accessKeyId: c.AccessKeyId!,
  secretAccessKey: c.SecretAccessKey!,
  sessionToken: c.SessionToken!,
});

export async function demoSandbox(): Promise<SandboxHandle> {
  return startSandbox({ port: 0, fixture: "demo" });
}

/** Captures the SDK's error shape for assertions: name (the AWS code), message and HTTP status. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

export interface RawRequest {
  service: string;
  body: string;
  headers?: Record<string, string>;
  credentials?: Credentials;
  signingDate?: Date;
}

/** A hand-signed request, for the cases an SDK refuses to send (unknown actions, tampered bodies). */
export async function signedRequest(sandbox: SandboxHandle, request: RawRequest) {
  const url = new URL(sandbox.url);
  const signer = new SignatureV4({
    service: request.service,
    region: "us-east-1",
    sha256: Sha256,
    credentials: request.credentials ?? API_USER,
  });
  const headers: Record<string, string> = {
    host: url.host,
    "content-type": "application/x-www-form-urlencoded",
    ...request.headers,
  };
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers,
      body: request.body,
      query: {},
    },
    request.signingDate ? { signingDate: request.signingDate } : {},
  );
  return signed.headers as Record<string, string>;
}

export async function post(sandbox: SandboxHandle, headers: Record<string, string>, body: string) {
  const { host: _host, ...sendable } = headers;
  const response = await fetch(`${sandbox.url}/`, { method: "POST", headers: sendable, body });
  return { status: response.status, text: await response.text(), contentType: response.headers.get("content-type") };
}
