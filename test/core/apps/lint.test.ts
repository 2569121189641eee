import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lintAwsApp } from "../../../src/core/apps/lint.js";
import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { directory } from "../../../src/core/directory/index.js";
import { OKTA_DEFAULT_GROUP_FILTER } from "../../../src/core/rolemap/group-filter.js";
import { OKTA_DEFAULT_ROLE_VALUE_PATTERN } from "../../../src/core/rolemap/role-value-pattern.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

describe.each(backends)("AWS app lint on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
  });
  afterAll(async () => cleanup?.());

  it("warns that Okta's default filter misses a role with a dot, and lists users near the size limit", async () => {
    const dir = directory(store);
    const apps = new AppService(store);
    const app = await apps.create(actor, {
      slug: "aws-lint",
      type: "aws-account-federation",
      label: "AWS",
      settings: {
        useGroupMapping: true,
        appFilter: "active_directory",
        groupFilter: OKTA_DEFAULT_GROUP_FILTER,
        roleValuePattern: OKTA_DEFAULT_ROLE_VALUE_PATTERN,
      },
    });
    const heavy = await dir.users.create(actor, {
      profile: {
        login: "heavy@example.com",
        email: "heavy@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
    const light = await dir.users.create(actor, {
      profile: {
        login: "light@example.com",
        email: "light@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
    const everyone = await dir.groups.create(actor, { name: "aws-users", source: "local" });
    await dir.groups.addMember(actor, everyone.id, heavy.id);
    await dir.groups.addMember(actor, everyone.id, light.id);
    await apps.assign(actor, app.id, "group", everyone.id, {});
    const dotted = await dir.groups.create(actor, {
      name: "aws#prod#Read.Only#123456789012",
      source: "active_directory",
    });
    await dir.groups.addMember(actor, dotted.id, light.id);
    // 600 role groups: well past what one SAML Response can carry.
    const rows = Array.from({ length: 600 }, (_, i) => ({
      id: `grp_bulk${String(i).padStart(4, "0")}`,
      name: `aws#acct${i}#SomeFairlyLongRoleNameForTesting${i}#${String(100000000000 + i)}`,
      description: null,
      source: "active_directory",
      externalId: null,
      at: "2026-01-01T00:00:00.000Z",
    }));
    await store.transaction(async (tx) => {
      await tx.groups.insertMany(rows);
      await tx.memberships.addMany(
        rows.map((g) => ({ groupId: g.id, userId: heavy.id, created: "2026-01-01T00:00:00.000Z" })),
      );
    });

    const lint = await lintAwsApp(store, app);
    expect(lint.groupFilter.missed.map((m) => m.groupName)).toEqual(["aws#prod#Read.Only#123456789012"]);
    expect(lint.groupFilter.missed[0]?.hint).toMatch(/"\."/);
    expect(lint.responseSize.atRisk.map((u) => [u.login, u.roleCount, u.overLimit])).toEqual([
      ["heavy@example.com", 600, true],
    ]);
  });
});
