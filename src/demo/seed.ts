import { ensureAdmin } from "../core/access/admins.js";
import { ADMIN_ROLE } from "../core/access/sign-in.js";
import { type Actor, systemActor } from "../core/audit.js";
import type { Directory } from "../core/directory/index.js";
import type { Group, UserProfile } from "../core/directory/model.js";
import { DomainError } from "../core/errors.js";
import type { Store } from "../store/contract.js";

/**
 * Demo data for `rolebridge serve --demo`: an admin, a handful of people, local groups and AWS role
 * groups in the Okta naming style. Documented credentials; never use them outside a demo.
 */
export const DEMO_ADMIN = { login: "admin@example.com", password: "rolebridge-demo" } as const;
/** Every demo user signs in to the portal with this password. */
export const DEMO_USER_PASSWORD = "rolebridge-demo";

/**
 * The AWS accounts of the demo, aligned with the sandbox's fixtures/sandbox/demo.json (ids, aliases and
 * role names there); test/cli/demo.test.ts keeps the two in step.
 */
export const DEMO_ACCOUNTS = {
  "acme-management": "111122223333",
  "northamerica-production": "222233334444",
  "northamerica-staging": "333344445555",
  "europe-production": "444455556666",
} as const;
export type DemoAlias = keyof typeof DEMO_ACCOUNTS;

/** Where role groups come from: the App Filter of the AWS app allows this source. */
export const ROLE_GROUP_SOURCE = "active_directory";

/** `aws#<alias>#<role>#<account id>`, the pattern the demo AWS app's Group Filter matches. */
export const roleGroupName = (alias: DemoAlias, role: string) => `aws#${alias}#${role}#${DEMO_ACCOUNTS[alias]}`;

interface DemoPerson {
  profile: UserProfile;
  groups: string[];
  roles: [DemoAlias, string][];
}

const person = (first: string, last: string, groups: string[], roles: [DemoAlias, string][]): DemoPerson => {
  const login = `${first.toLowerCase()}@example.com`;
  return {
    profile: { login, email: login, firstName: first, lastName: last, displayName: `${first} ${last}` },
    groups,
    roles,
  };
};

export const DEMO_LOCAL_GROUPS: Record<string, string> = {
  everyone: "Every demo user",
  engineering: "Software engineers",
  finance: "Finance and billing",
  support: "Customer support",
};

export const DEMO_PEOPLE: DemoPerson[] = [
  person(
    "Alice",
    "Anderson",
    ["everyone", "engineering"],
    [
      ["northamerica-production", "Admin"],
      ["northamerica-staging", "Admin"],
      ["europe-production", "ReadOnly"],
    ],
  ),
  person(
    "Bob",
    "Brown",
    ["everyone", "engineering"],
    [
      ["northamerica-production", "ReadOnly"],
      ["northamerica-staging", "Admin"],
    ],
  ),
  person("Carol", "Chen", ["everyone", "finance"], [["acme-management", "Billing.Viewer"]]),
  // Roles under an IAM path carry it in the group name, as their ARN does.
  person("Dave", "Diaz", ["everyone", "support"], [["northamerica-production", "support/Tier1_Support"]]),
  person("Erin", "Evans", ["everyone", "engineering"], [["northamerica-production", "data/analytics/DataEngineer"]]),
];

export interface DemoContext {
  store: Store;
  directory: Directory;
}

export interface DemoSeedResult {
  /** False when everything was already there. */
  changed: boolean;
  admin: typeof DEMO_ADMIN;
}

async function ensureGroup(ctx: DemoContext, actor: Actor, source: string, name: string, description: string | null) {
  const existing = await ctx.store.groups.getByName(source, name);
  if (existing) return { group: existing, created: false };
  return { group: await ctx.directory.groups.create(actor, { name, source, description }), created: true };
}

/**
 * Idempotent: creates only what is missing, so it can run at every `serve --demo`. Later issues add
 * steps (apps, sandbox wiring) here, each equally idempotent.
 */
export async function seedDemo(ctx: DemoContext, actor: Actor = systemActor): Promise<DemoSeedResult> {
  let changed = false;

  // The demo creates its administrator once and never touches an existing account: resetting the password
  // of someone's real admin@example.com would hand their account to whoever read the demo's docs.
  const admin = await ctx.store.users.getByLogin(DEMO_ADMIN.login);
  if (!admin) {
    await ensureAdmin(ctx.store, ctx.directory.users, actor, { ...DEMO_ADMIN });
    changed = true;
  } else if (!(await ctx.store.admins.rolesOf(admin.id)).includes(ADMIN_ROLE)) {
    throw new DomainError(
      "conflict",
      `${DEMO_ADMIN.login} already exists and is not the demo's administrator; the demo leaves it alone and stops`,
      { login: DEMO_ADMIN.login },
    );
  }

  const groups = new Map<string, Group>();
  for (const [name, description] of Object.entries(DEMO_LOCAL_GROUPS)) {
    const r = await ensureGroup(ctx, actor, "local", name, description);
    groups.set(name, r.group);
    changed ||= r.created;
  }

  for (const p of DEMO_PEOPLE) {
    let user = await ctx.store.users.getByLogin(p.profile.login);
    if (!user) {
      user = await ctx.directory.users.create(actor, { profile: p.profile, password: DEMO_USER_PASSWORD });
      changed = true;
    }
    const memberOf = p.groups.map((g) => groups.get(g)!);
    for (const [alias, role] of p.roles) {
      const description = `AWS role ${role} in ${alias}`;
      const r = await ensureGroup(ctx, actor, ROLE_GROUP_SOURCE, roleGroupName(alias, role), description);
      changed ||= r.created;
      memberOf.push(r.group);
    }
    for (const g of memberOf) {
      const { added } = await ctx.directory.groups.addMember(actor, g.id, user.id);
      changed ||= added;
    }
  }
  return { changed, admin: DEMO_ADMIN };
}
