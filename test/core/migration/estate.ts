import { AppService } from "../../../src/core/apps/service.js";
import type { Actor } from "../../../src/core/audit.js";
import { directory } from "../../../src/core/directory/index.js";
import type { Store } from "../../../src/store/contract.js";

export const actor: Actor = { type: "cli", id: null, display: "test" };

export const A = "111111111111";
export const B = "222222222222";
export const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

export interface EstateOptions {
  joinAllRoles?: boolean;
  /** Roles the last refresh listed beyond those assigned. */
  extraListed?: string[];
  /** Assigned roles the last refresh did not list (deleted in AWS). */
  unlisted?: string[];
}

/**
 * A small legacy API-mode estate: ann (own roles in two accounts), bob (own role, and in ops), cat and dan
 * (only through ops and through devs), eve (in devs and a local group that looks like a role group).
 */
export async function seedEstate(store: Store, opts: EstateOptions = {}) {
  const apps = new AppService(store);
  const dir = directory(store);
  const app = await apps.create(actor, {
    slug: "aws-legacy",
    type: "aws-account-federation",
    label: "AWS legacy",
    settings: {
      defaultSamlProviderName: "okta",
      joinAllRoles: opts.joinAllRoles ?? false,
      sessionDuration: 7200,
      api: { enabled: true, connectedAccountIds: [A, B] },
    },
  });
  const roles = {
    adminA: role(A, "Admin"),
    readB: role(B, "ReadOnly"),
    supportA: role(A, "support/Tier1_Support"),
    billingB: role(B, "Billing.Viewer"),
    devB: role(B, "Developer"),
  };
  const listed = [...Object.values(roles), ...(opts.extraListed ?? [])].filter((r) => !opts.unlisted?.includes(r));
  for (const account of [A, B]) {
    await store.roleCatalog.put({
      appId: app.id,
      accountId: account,
      alias: account === A ? "prod" : "staging",
      roles: listed
        .filter((r) => r.includes(`::${account}:`))
        .map((arn) => {
          const full = arn.slice(arn.indexOf(":role/") + 6);
          const name = full.slice(full.lastIndexOf("/") + 1);
          return { arn, name, path: `/${full.slice(0, full.length - name.length)}` };
        }),
      status: "ok",
      error: null,
      refreshedAt: "2026-12-01T00:00:00.000Z",
    });
  }
  const users: Record<string, string> = {};
  for (const name of ["ann", "bob", "cat", "dan", "eve"]) {
    const u = await dir.users.create(actor, {
      profile: {
        login: `${name}@example.com`,
        email: `${name}@example.com`,
        firstName: name,
        lastName: "X",
        displayName: null,
      },
    });
    users[name] = u.id;
  }
  const ops = await dir.groups.create(actor, { name: "ops" });
  const devs = await dir.groups.create(actor, { name: "devs" });
  for (const n of ["bob", "cat", "dan"]) await dir.groups.addMember(actor, ops.id, users[n]!);
  for (const n of ["dan", "eve"]) await dir.groups.addMember(actor, devs.id, users[n]!);
  const samlRoles = (...arns: string[]) => ({ samlRoles: arns.map((roleArn) => ({ roleArn })) });
  const at = "2026-12-01T00:00:00.000Z";
  const assign = (principalType: "user" | "group", principalId: string, profile: Record<string, unknown>) =>
    store.assignments.upsert({ appId: app.id, principalType, principalId, profile, at });
  await assign("user", users.ann!, samlRoles(roles.adminA, roles.readB, roles.billingB));
  await assign("user", users.bob!, samlRoles(roles.readB));
  await assign("group", ops.id, samlRoles(roles.supportA));
  await assign("group", devs.id, samlRoles(roles.devB));
  return { app, apps, dir, users, groups: { ops, devs }, roles };
}
