import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyApiService } from "../../../src/core/apps/legacy-api.js";
import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { type AwsClientFactory, defaultAwsClients } from "../../../src/core/aws/clients.js";
import { declaredAction, LEGACY_API_CALLS } from "../../../src/core/aws/role-discovery.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { leastPrivilegePolicy } from "../../../src/core/policy/least-privilege.js";
import { DEMO, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";
import { demoContext } from "./demo-context.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

describe("LEGACY_API_CALLS is exactly what the legacy API mode sends", () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let sandbox: SandboxHandle;
  /** "service:Action by keys|cross-account role", as each request left the SDK. */
  const sent = new Set<string>();

  const recording: AwsClientFactory = async (target, credentials) => {
    const made = await defaultAwsClients(target, credentials);
    const by = credentials.sessionToken ? "cross-account role" : "keys";
    const record =
      (service: string) =>
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        sent.add(`${service}:${String(context.commandName).replace(/Command$/, "")} by ${by}`);
        return next(args);
      };
    made.iam.middlewareStack.add(record("iam") as never, { step: "initialize" });
    made.sts.middlewareStack.add(record("sts") as never, { step: "initialize" });
    return made;
  };

  beforeAll(async () => {
    ({ store, cleanup } = await backends[0]!.open());
    sandbox = await startSandbox({ fixture: "demo" });
    const apps = new AppService(store);
    const api = new LegacyApiService(store, apps, new SecretBox(randomBytes(32)), undefined, recording);
    await apps.create(actor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS",
      settings: {
        defaultSamlProviderName: "okta",
        api: { enabled: true, endpointUrl: sandbox.url, connectedAccountIds: Object.values(DEMO.accounts) },
      },
    });
    await api.setCredentials(actor, "aws-legacy", DEMO.apiUser);
    expect((await api.testCredentials("aws-legacy")).ok).toBe(true);
    expect((await api.refresh(actor, "aws-legacy")).status).toBe("ok");
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("every call sent by Test API Credentials and a refresh is declared with the credentials that send it, and every declared call is sent", () => {
    const declared = LEGACY_API_CALLS.flatMap((c) => c.by.map((by) => `${c.action} by ${by}`));
    expect([...sent].sort()).toEqual([...declared].sort());
  });

  it("a command missing from the list is refused before it is sent", () => {
    expect(() => declaredAction("GetUserCommand")).toThrow(/GetUser is not in LEGACY_API_CALLS/);
    expect(declaredAction("ListRolesCommand").action).toBe("iam:ListRoles");
  });

  it("the least-privilege policy grants exactly the declared actions the keys need a permission for", () => {
    const granted = leastPrivilegePolicy(demoContext()).Statement.flatMap((s) =>
      Array.isArray(s.Action) ? s.Action : [s.Action],
    );
    const needed = LEGACY_API_CALLS.filter(
      (c) => (c.by as readonly string[]).includes("keys") && c.resource !== "none",
    ).map((c) => c.action);
    expect(granted.sort()).toEqual([...needed].sort());
  });
});
