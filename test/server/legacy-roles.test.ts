import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../src/core/audit.js";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { backends } from "../helpers/backends.js";
import { expectError, type Harness, openHarness } from "./harness.js";

type Lists = { lists: Array<{ roles: Array<{ name: string; samlAssumable?: boolean }> }>; hiddenRoles: number };

/** Issue 16 item 8 over the API: role lists leave out roles no SAML provider can assume unless ?all=true. */
describe("GET /api/v1/apps/{id}/aws/roles", () => {
  let h: Harness;
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: "demo" });
    h = await openHarness(backends[0]!);
    const rt = h.runtime;
    await rt.apps.create(systemActor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS (API mode)",
      settings: {
        defaultSamlProviderName: "rolebridge",
        api: { enabled: true, endpointUrl: sandbox.url, connectedAccountIds: sandbox.accounts.map((a) => a.id) },
      },
    });
    const keys =
      sandbox.credentials.find(
        (c) => c.accountId === sandbox.managementAccountId && /legacy|okta|sso/i.test(c.userName),
      ) ?? sandbox.credentials[0]!;
    await rt.legacyApi.setCredentials(systemActor, "aws-legacy", keys);
    await rt.legacyApi.refresh(systemActor, "aws-legacy");
  });
  afterAll(async () => {
    await h?.close();
    await sandbox?.close();
  });

  it("hides roles no SAML provider can assume by default and shows them, marked, with all=true", async () => {
    const names = (l: Lists) => l.lists.flatMap((x) => x.roles.map((r) => r.name));
    const shown = (await h.call({ method: "GET", url: "/api/v1/apps/aws-legacy/aws/roles" })).json() as Lists;
    expect(names(shown)).toContain("Admin");
    expect(names(shown)).not.toContain("OrganizationAccountAccessRole");
    expect(shown.hiddenRoles).toBeGreaterThan(0);
    const all = (await h.call({ method: "GET", url: "/api/v1/apps/aws-legacy/aws/roles?all=true" })).json() as Lists;
    const org = all.lists.flatMap((x) => x.roles).filter((r) => r.name === "OrganizationAccountAccessRole");
    expect(org.length).toBeGreaterThan(0);
    expect(org.every((r) => r.samlAssumable === false)).toBe(true);
    expect(all.hiddenRoles).toBe(0);
    expect(names(all).length - names(shown).length).toBe(shown.hiddenRoles);
    expectError(
      await h.call({ method: "GET", url: "/api/v1/apps/aws-legacy/aws/roles?everything=1" }),
      400,
      "validation_failed",
    );
  });
});
