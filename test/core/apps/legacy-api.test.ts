import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LegacyApiService } from "../../../src/core/apps/legacy-api.js";
import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { directory } from "../../../src/core/directory/index.js";
import type { DomainError } from "../../../src/core/errors.js";
import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

/** Real time plus an offset: AWS signatures still use real time, the refresh schedule sees the offset. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

describe.each(backends)("legacy API mode against the sandbox on $name", (backend) => {
  let store: Store;
  let sandbox: SandboxHandle;
  let apps: AppService;
  let api: LegacyApiService;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    clock.offsetMs = 0;
    sandbox = await startSandbox({ fixture: "demo" });
    apps = new AppService(store);
    api = new LegacyApiService(store, apps, new SecretBox(randomBytes(32)), clock);
    await apps.create(actor, {
      slug: "aws-legacy",
      type: "aws-account-federation",
      label: "AWS (API mode)",
      settings: {
        defaultSamlProviderName: "rolebridge",
        api: {
          enabled: true,
          endpointUrl: sandbox.url,
          connectedAccountIds: [...sandbox.accounts.map((a) => a.id), "999988887777"],
        },
      },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  let group: string | undefined;
  const groupId = async () => {
    group ??= (await directory(store).groups.create(actor, { name: "legacy-admins" })).id;
    return group;
  };

  const legacyKeys = () =>
    sandbox.credentials.find(
      (c) => c.accountId === sandbox.managementAccountId && /legacy|okta|sso/i.test(c.userName),
    ) ?? sandbox.credentials[0]!;

  it("refuses to test or refresh before credentials are set", async () => {
    await expect(api.testCredentials("aws-legacy")).rejects.toThrow(/no AWS access key/);
  });

  it("tests credentials: right keys name the caller, a wrong secret gives AWS's error", async () => {
    const keys = legacyKeys();
    await api.setCredentials(actor, "aws-legacy", {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: "WrongSecretWrongSecret1234",
    });
    const bad = await api.testCredentials("aws-legacy");
    expect(bad).toMatchObject({ ok: false, code: "SignatureDoesNotMatch" });
    await api.setCredentials(actor, "aws-legacy", keys);
    expect(await api.testCredentials("aws-legacy")).toEqual({ ok: true, accountId: keys.accountId, arn: keys.userArn });
    const sealed = await store.appSecrets.get((await apps.get("aws-legacy")).id, "aws_secret_access_key");
    expect(sealed).not.toContain(keys.secretAccessKey);
    expect(JSON.stringify((await apps.get("aws-legacy")).settings)).not.toContain(keys.secretAccessKey);
  });

  it("refreshes role lists in every connected account, recording the one that fails", async () => {
    const summary = await api.refresh(actor, "aws-legacy");
    expect(summary.status).toBe("partial");
    const byId = new Map(summary.accounts.map((a) => [a.accountId, a]));
    for (const account of sandbox.accounts) {
      expect(byId.get(account.id)).toMatchObject({ status: "ok", alias: account.alias ?? null });
      expect(byId.get(account.id)?.roleCount).toBeGreaterThan(0);
    }
    expect(byId.get("999988887777")?.status).toBe("error");
    const { lists, lastRefresh } = await api.roleLists("aws-legacy", { all: true });
    expect(lastRefresh?.status).toBe("partial");
    const prod = lists.find((l) => l.alias === "northamerica-production");
    expect(prod?.roles.map((r) => r.name)).toEqual(expect.arrayContaining(["Admin", "Okta-Idp-cross-account-role"]));
    expect(prod?.roles.every((r) => r.arn.startsWith(`arn:aws:iam::${prod.accountId}:role/`))).toBe(true);
  });

  it("marks the roles no SAML provider can assume, and leaves them out of the picker lists by default", async () => {
    const all = (await api.roleLists("aws-legacy", { all: true })).lists.flatMap((l) => l.roles);
    const mark = (name: string) => [...new Set(all.filter((r) => r.name === name).map((r) => r.samlAssumable))];
    expect(mark("Okta-Idp-cross-account-role")).toEqual([false]);
    expect(mark("OrganizationAccountAccessRole")).toEqual([false]);
    expect(mark("Admin")).toEqual([true]);
    const shown = await api.roleLists("aws-legacy");
    const names = shown.lists.flatMap((l) => l.roles.map((r) => r.name));
    expect(names).toContain("Admin");
    expect(names).not.toContain("Okta-Idp-cross-account-role");
    expect(names).not.toContain("OrganizationAccountAccessRole");
    expect(shown.hiddenRoles).toBe(all.filter((r) => r.samlAssumable === false).length);
    expect(shown.hiddenRoles).toBeGreaterThanOrEqual(2);
  });

  it("assigns roles only from the lists AWS gave at the last refresh", async () => {
    const prod = sandbox.accounts.find((a) => a.alias === "northamerica-production")!.id;
    const ok = await apps.assign(actor, "aws-legacy", "group", await groupId(), {
      samlRoles: [{ roleArn: `arn:aws:iam::${prod}:role/Admin` }],
    });
    expect(ok.profile).toEqual({ samlRoles: [{ roleArn: `arn:aws:iam::${prod}:role/Admin` }] });
    const unknown = await apps
      .assign(actor, "aws-legacy", "group", await groupId(), {
        samlRoles: [{ roleArn: `arn:aws:iam::${prod}:role/Invented` }],
      })
      .catch((e: unknown) => e as DomainError);
    expect((unknown as DomainError).details.errors).toEqual([
      {
        path: "/profile/samlRoles/0/roleArn",
        message: `AWS did not list this role in account ${prod} at the last refresh`,
      },
    ]);
    const unlisted = await apps
      .assign(actor, "aws-legacy", "group", await groupId(), {
        samlRoles: [{ roleArn: "arn:aws:iam::123412341234:role/Admin" }],
      })
      .catch((e: unknown) => e as DomainError);
    expect(JSON.stringify((unlisted as DomainError).details)).toContain("has no role list");
  });

  it("a scheduled refresh runs only when the app's interval asks for it", async () => {
    expect(await api.refreshDue(actor)).toEqual([]);
    await apps.update(actor, "aws-legacy", { settings: { api: { refreshIntervalMinutes: 1 } } });
    // The schedule changed; the access key id set with the credentials stayed.
    expect((await apps.get("aws-legacy")).settings.api).toMatchObject({
      accessKeyId: legacyKeys().accessKeyId,
      enabled: true,
    });

    expect(await api.refreshDue(actor)).toEqual([]);
    clock.offsetMs = 2 * 60_000;
    const ran = await api.refreshDue(actor);
    expect(ran.map((r) => [r.app, r.summary?.status])).toEqual([["aws-legacy", "partial"]]);
    expect(await api.refreshDue(actor)).toEqual([]);
  });
});
