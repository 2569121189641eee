import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import { UniqueViolation } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

const at = "2026-02-01T00:00:00.000Z";

describe.each(backends)("apps store contract on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
  });
  afterAll(async () => cleanup?.());

  const newApp = (slug: string) =>
    store.apps.insert({
      id: newId("app"),
      slug,
      type: "aws-account-federation",
      label: "AWS",
      status: "ACTIVE",
      settings: { useGroupMapping: true, nested: { a: [1, 2] } },
      at,
    });

  it("stores apps with JSON settings, unique slugs and optimistic versions", async () => {
    const app = await newApp("aws-one");
    expect((await store.apps.getBySlug("aws-one"))?.settings).toEqual({ useGroupMapping: true, nested: { a: [1, 2] } });
    await expect(newApp("aws-one")).rejects.toEqual(new UniqueViolation("app_slug"));
    const updated = await store.apps.update(app.id, { status: "INACTIVE", at }, 1);
    expect(updated?.status).toBe("INACTIVE");
    expect(await store.apps.update(app.id, { label: "x", at }, 1)).toBeNull();
  });

  it("upserts assignments and finds those that reach a user directly or through groups", async () => {
    const app = await newApp("aws-assign");
    const other = await newApp("aws-other");
    expect(
      await store.assignments.upsert({ appId: app.id, principalType: "user", principalId: "usr_1", profile: {}, at }),
    ).toBe(true);
    expect(
      await store.assignments.upsert({
        appId: app.id,
        principalType: "user",
        principalId: "usr_1",
        profile: { samlRoles: [{ roleArn: "arn:aws:iam::111122223333:role/Admin" }] },
        at,
      }),
    ).toBe(false);
    await store.assignments.upsert({ appId: app.id, principalType: "group", principalId: "grp_1", profile: {}, at });
    await store.assignments.upsert({ appId: app.id, principalType: "group", principalId: "grp_9", profile: {}, at });
    await store.assignments.upsert({ appId: other.id, principalType: "group", principalId: "grp_1", profile: {}, at });
    const reach = await store.assignments.forUser(app.id, "usr_1", ["grp_1", "grp_2"]);
    expect(reach.map((a) => `${a.principalType}:${a.principalId}`)).toEqual(["group:grp_1", "user:usr_1"]);
    expect(reach[1]?.profile).toEqual({ samlRoles: [{ roleArn: "arn:aws:iam::111122223333:role/Admin" }] });
    expect(await store.assignments.appIdsForUser("usr_1", ["grp_1"])).toEqual([app.id, other.id].sort());
    expect(await store.assignments.appIdsForUser("usr_2", [])).toEqual([]);
    expect(await store.assignments.remove(app.id, "group", "grp_9")).toBe(true);
    expect(await store.assignments.remove(app.id, "group", "grp_9")).toBe(false);
  });

  it("keeps signing keys with their state history and sealed secrets per app", async () => {
    const app = await newApp("aws-keys");
    const k = await store.signingKeys.insert({
      id: newId("key"),
      appId: app.id,
      state: "next",
      bits: 2048,
      certificatePem: "CERT",
      privateKeySealed: "rbs1.x.y.z",
      notAfter: "2036-01-01T00:00:00.000Z",
      created: at,
    });
    expect(k.activated).toBeNull();
    expect((await store.signingKeys.setState(k.id, "active", at))?.activated).toBe(at);
    expect((await store.signingKeys.listForApp(app.id)).map((x) => x.state)).toEqual(["active"]);
    await store.appSecrets.put(app.id, "aws_secret_key", "sealed-1", at);
    await store.appSecrets.put(app.id, "aws_secret_key", "sealed-2", at);
    expect(await store.appSecrets.get(app.id, "aws_secret_key")).toBe("sealed-2");
    expect(await store.apps.delete(app.id)).toBe(true);
    expect(await store.appSecrets.get(app.id, "aws_secret_key")).toBeNull();
    expect(await store.signingKeys.listForApp(app.id)).toEqual([]);
  });

  it("keeps role lists per connected account and lets one node at a time claim a refresh", async () => {
    const app = await newApp("aws-catalog");
    const list = {
      appId: app.id,
      accountId: "222233334444",
      alias: "na-prod",
      roles: [{ arn: "arn:aws:iam::222233334444:role/Admin", name: "Admin", path: "/" }],
      status: "ok" as const,
      error: null,
      refreshedAt: at,
    };
    await store.roleCatalog.put(list);
    await store.roleCatalog.put({
      ...list,
      accountId: "333344445555",
      status: "error",
      roles: [],
      error: "AccessDenied",
    });
    await store.roleCatalog.put({ ...list, alias: "renamed" });
    expect((await store.roleCatalog.listForApp(app.id)).map((l) => [l.accountId, l.alias, l.status])).toEqual([
      ["222233334444", "renamed", "ok"],
      ["333344445555", "na-prod", "error"],
    ]);
    expect(await store.roleCatalog.retainAccounts(app.id, ["222233334444"])).toBe(1);

    const t0 = "2026-02-01T00:00:00.000Z";
    const t1 = "2026-02-01T00:05:00.000Z";
    expect(await store.roleCatalog.claimRefresh(app.id, t0, t1)).toBe(true);
    expect(await store.roleCatalog.claimRefresh(app.id, t0, t1)).toBe(false);
    await store.roleCatalog.finishRefresh(app.id, "2026-02-01T00:01:00.000Z", "ok", null);
    expect((await store.roleCatalog.lastRefresh(app.id))?.status).toBe("ok");
    // The schedule only claims when the last run started before its cut-off.
    expect(
      await store.roleCatalog.claimRefresh(app.id, "2026-02-01T00:02:00.000Z", t1, "2026-01-31T00:00:00.000Z"),
    ).toBe(false);
    expect(await store.roleCatalog.claimRefresh(app.id, "2026-02-01T00:02:00.000Z", t1)).toBe(true);
  });
});
