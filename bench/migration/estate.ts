/** Generates a legacy API-mode estate straight into a store (bulk inserts), deterministically. */
import { newId } from "../../src/core/ids.js";
import { seededRandom } from "../../src/sandbox/identity-center/traffic.js";
import type { NewGroup, NewUser, Store } from "../../src/store/contract.js";

export interface EstateSize {
  accounts: number;
  rolesPerAccount: number;
  people: number;
  /** (principal, role) pairs assigned on the legacy app; `groupShare` of them through group assignments. */
  assignments: number;
  groupShare: number;
  rolesPerGroup: number;
  membersPerGroup: number;
}

export const ISSUE_SIZE: EstateSize = {
  accounts: 500,
  rolesPerAccount: 20,
  people: 20_000,
  assignments: 100_000,
  groupShare: 0.25,
  rolesPerGroup: 10,
  membersPerGroup: 8,
};

const ROLE_NAMES = [
  "Admin",
  "ReadOnly",
  "Developer",
  "support/Tier1_Support",
  "Billing.Viewer",
  "Auditor",
  "Ops",
  "data/analytics/DataEngineer",
];

export async function generateEstate(store: Store, size: EstateSize, seed = 42): Promise<{ slug: string }> {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const at = "2026-12-01T00:00:00.000Z";
  const accountId = (a: number) => String(100_000_000_000 + a * 7919).padStart(12, "0");
  const roleName = (r: number) => (r < ROLE_NAMES.length ? ROLE_NAMES[r]! : `Role${r}`);
  const roleArn = (a: number, r: number) => `arn:aws:iam::${accountId(a)}:role/${roleName(r)}`;
  const accounts = Array.from({ length: size.accounts }, (_, a) => accountId(a));

  const app = await store.apps.insert({
    id: newId("app"),
    slug: "aws-legacy",
    type: "aws-account-federation",
    label: "AWS legacy",
    status: "ACTIVE",
    settings: {
      defaultSamlProviderName: "okta",
      joinAllRoles: true,
      api: { enabled: true, connectedAccountIds: accounts },
    },
    at,
  });
  await store.transaction(async (tx) => {
    for (let a = 0; a < size.accounts; a++) {
      const roles = Array.from({ length: size.rolesPerAccount }, (_, r) => {
        const full = roleName(r);
        const name = full.slice(full.lastIndexOf("/") + 1);
        return { arn: roleArn(a, r), name, path: `/${full.slice(0, full.length - name.length)}` };
      });
      await tx.roleCatalog.put({
        appId: app.id,
        accountId: accounts[a]!,
        alias: `acct-${a}`,
        roles,
        status: "ok",
        error: null,
        refreshedAt: at,
      });
    }
  });

  const users: NewUser[] = Array.from({ length: size.people }, (_, i) => {
    const login = `p${String(i).padStart(6, "0")}@example.com`;
    return {
      id: newId("usr"),
      profile: { login, email: login, firstName: "P", lastName: String(i), displayName: null },
      status: "ACTIVE",
      passwordHash: null,
      at,
    };
  });
  const groupPairs = Math.round(size.assignments * size.groupShare);
  const groupCount = Math.ceil(groupPairs / size.rolesPerGroup);
  const groups: NewGroup[] = Array.from({ length: groupCount }, (_, g) => ({
    id: newId("grp"),
    name: `team-${g}`,
    description: null,
    source: "local",
    externalId: null,
    at,
  }));
  const randomRoles = (n: number) => {
    const out = new Set<string>();
    while (out.size < n) out.add(roleArn(pick(size.accounts), pick(size.rolesPerAccount)));
    return [...out].map((roleArn) => ({ roleArn }));
  };
  await store.transaction(async (tx) => {
    await tx.users.insertMany(users);
    await tx.groups.insertMany(groups);
    const memberships = groups.flatMap((g, k) =>
      Array.from({ length: size.membersPerGroup }, (_, m) => ({
        groupId: g.id,
        userId: users[(k * size.membersPerGroup + m) % users.length]!.id,
        created: at,
      })),
    );
    await tx.memberships.addMany(memberships);
    for (const [priority, g] of groups.entries()) {
      const roles = randomRoles(Math.min(size.rolesPerGroup, groupPairs - priority * size.rolesPerGroup));
      await tx.assignments.upsert({
        appId: app.id,
        principalType: "group",
        principalId: g.id,
        profile: { samlRoles: roles },
        priority,
        at,
      });
    }
    // The direct pairs spread over everyone: most people have 3 or 4 roles of their own.
    const direct = size.assignments - groupPairs;
    for (const [i, u] of users.entries()) {
      const n = Math.floor(direct / users.length) + (i < direct % users.length ? 1 : 0);
      if (n > 0)
        await tx.assignments.upsert({
          appId: app.id,
          principalType: "user",
          principalId: u.id,
          profile: { samlRoles: randomRoles(n) },
          at,
        });
    }
  });
  return { slug: app.slug };
}
