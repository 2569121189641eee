import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import type { App } from "../core/apps/model.js";
import type { Actor } from "../core/audit.js";
import { type AwsCredentials, type AwsTarget, defaultAwsClients } from "../core/aws/clients.js";
import type { Runtime } from "../runtime.js";
import { DEMO_ACCOUNTS } from "./seed.js";

/**
 * Created, assigned to erin, then deleted: AWS no longer has it, the legacy app still assigns it. Its path makes
 * its role group's name 65 characters: one over an Active Directory `cn`, for `--source active_directory`.
 */
const DELETED_ROLE = { name: "DeploymentPipelineRole", path: "/ci/legacy/" };
/**
 * The legacy app's estate, rich enough that `migrate plan --from aws-legacy` has something to say: people
 * with roles in several accounts, a role under an IAM path, two group assignments (one every member gets,
 * one a member with roles of his own does not — Join all roles is off), a role deleted in AWS since it was
 * assigned, and (see aws.ts) a connected account that no longer answers.
 */
const PERSON_ROLES: Record<string, Array<[keyof typeof DEMO_ACCOUNTS, string]>> = {
  "alice@example.com": [
    ["northamerica-production", "Admin"],
    ["europe-production", "ReadOnly"],
    ["acme-management", "Billing.Viewer"],
  ],
  "bob@example.com": [
    ["northamerica-production", "ReadOnly"],
    ["northamerica-staging", "Admin"],
  ],
  "dave@example.com": [["northamerica-production", "support/Tier1_Support"]],
  "erin@example.com": [["acme-management", `${DELETED_ROLE.path.slice(1)}${DELETED_ROLE.name}`]],
};

const GROUP_ROLES: Record<string, Array<[keyof typeof DEMO_ACCOUNTS, string]>> = {
  finance: [["acme-management", "Billing.Viewer"]],
  support: [["europe-production", "support/Tier1_Support"]],
};

export const UNREACHABLE_ACCOUNT = "999988887777";

const roleArn = (alias: keyof typeof DEMO_ACCOUNTS, role: string) =>
  `arn:aws:iam::${DEMO_ACCOUNTS[alias]}:role/${role}`;
const profile = (roles: Array<[keyof typeof DEMO_ACCOUNTS, string]>) => ({
  samlRoles: roles.map(([alias, role]) => ({ roleArn: roleArn(alias, role) })),
});

async function roleExists(iam: Awaited<ReturnType<typeof defaultAwsClients>>["iam"], name: string) {
  try {
    await iam.send(new GetRoleCommand({ RoleName: name }));
    return true;
  } catch {
    return false;
  }
}

/** Before the refresh: the role to be deleted exists while it is assigned (only on the first run). */
export async function prepareDeletedRole(rt: Runtime, legacy: App, target: AwsTarget, admin: AwsCredentials) {
  const erin = await rt.store.users.getByLogin("erin@example.com");
  if (!erin || (await rt.store.assignments.get(legacy.id, "user", erin.id))) return;
  const { iam } = await defaultAwsClients(target, admin);
  if (await roleExists(iam, DELETED_ROLE.name)) return;
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${DEMO_ACCOUNTS["acme-management"]}:saml-provider/okta` },
        Action: "sts:AssumeRoleWithSAML",
      },
    ],
  };
  await iam.send(
    new CreateRoleCommand({
      RoleName: DELETED_ROLE.name,
      Path: DELETED_ROLE.path,
      AssumeRolePolicyDocument: JSON.stringify(trust),
    }),
  );
}

/** After the refresh: assignments (once each), then the deleted role goes from AWS. */
export async function seedLegacyEstate(
  rt: Runtime,
  legacy: App,
  actor: Actor,
  target: AwsTarget,
  admin: AwsCredentials,
) {
  for (const [login, roles] of Object.entries(PERSON_ROLES)) {
    const user = await rt.store.users.getByLogin(login);
    if (user && !(await rt.store.assignments.get(legacy.id, "user", user.id)))
      await rt.apps.assign(actor, legacy.id, "user", user.id, profile(roles));
  }
  for (const [name, roles] of Object.entries(GROUP_ROLES)) {
    const group = await rt.store.groups.getByName("local", name);
    if (group && !(await rt.store.assignments.get(legacy.id, "group", group.id)))
      await rt.apps.assign(actor, legacy.id, "group", group.id, profile(roles));
  }
  const { iam } = await defaultAwsClients(target, admin);
  if (await roleExists(iam, DELETED_ROLE.name)) await iam.send(new DeleteRoleCommand({ RoleName: DELETED_ROLE.name }));
}
