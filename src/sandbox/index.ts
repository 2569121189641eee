import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { type IdentityCenterHandle, identityCenterHandle, registerIdentityCenter } from "./identity-center/index.js";
import { buildSandboxServer } from "./server.js";
import { readFixture, stateFromFixture } from "./state/fixture.js";
import type { SandboxState } from "./state/model.js";
import { SandboxStore } from "./state/store.js";

export { DEMO } from "./demo.js";
export { DEMO_IDENTITY_CENTER } from "./identity-center/demo.js";
export type { IdentityCenterHandle } from "./identity-center/index.js";
export { FixtureError } from "./state/fixture.js";
export type { SandboxState } from "./state/model.js";

export interface StartSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback by default: the sandbox has no TLS and hands out credentials. */
  host?: string;
  /** Where sandbox.db lives; without it the state is kept in memory only. */
  dataDir?: string;
  /** A bundled fixture name ("demo", the default), a path to a fixture JSON file, or a fixture object. */
  fixture?: string | object;
  logger?: Logger;
}

export interface SandboxCredentials {
  accountId: string;
  userName: string;
  userArn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SandboxHandle {
  /** The single endpoint for IAM, STS, Organizations and the sign-in pages, e.g. http://127.0.0.1:4566. */
  url: string;
  host: string;
  port: number;
  /** Where to POST a SAMLResponse meant for a real ACS URL, e.g. "https://signin.aws.amazon.com/saml". */
  signinUrl(realAcsUrl?: string): string;
  organizationId: string;
  managementAccountId: string;
  accounts: Array<{ id: string; name: string; alias?: string | undefined }>;
  /** Every IAM user access key the state held at start, e.g. the demo's legacy API-mode user. */
  credentials: SandboxCredentials[];
  /** IAM Identity Center: the admin operations (instances, SCIM tokens, settings, permission sets) and URLs. */
  identityCenter: IdentityCenterHandle;
  /** A read-only view of the live state, for assertions in tests. */
  state(): Readonly<SandboxState>;
  close(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions = {}): Promise<SandboxHandle> {
  const host = options.host ?? "127.0.0.1";
  const store = SandboxStore.open(options.dataDir, () => {
    const { fixture, label } = readFixture(options.fixture ?? "demo");
    return stateFromFixture(fixture, label);
  });
  let url = "";
  const app = buildSandboxServer({ store, logger: options.logger, baseUrl: () => url });
  const identityCenter = registerIdentityCenter(app, { store, baseUrl: () => url });
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (err) {
    store.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  url = `http://${urlHost}:${address.port}`;
  const state = store.state;
  return {
    url,
    host,
    port: address.port,
    signinUrl: (realAcsUrl = "https://signin.aws.amazon.com/saml") => `${url}/signin/${new URL(realAcsUrl).host}/saml`,
    organizationId: state.organization.id,
    managementAccountId: state.organization.managementAccountId,
    accounts: state.accounts.map((a) => ({ id: a.id, name: a.name, alias: a.alias })),
    credentials: state.users.flatMap((u) =>
      u.accessKeys.map((k) => ({
        accountId: u.accountId,
        userName: u.name,
        userArn: u.arn,
        accessKeyId: k.accessKeyId,
        secretAccessKey: k.secretAccessKey,
      })),
    ),
    identityCenter: identityCenterHandle(identityCenter, store, url),
    state: () => store.state,
    close: async () => {
      await app.close();
      store.close();
    },
  };
}
