import { createAppWithKey } from "../core/apps/create.js";
import type { App } from "../core/apps/model.js";
import type { Actor } from "../core/audit.js";
import type { SyncReport } from "../core/provisioning/service.js";
import type { Runtime } from "../runtime.js";
import { DEMO_IDENTITY_CENTER, type SandboxHandle } from "../sandbox/index.js";
import { DEMO_ACCOUNTS } from "./seed.js";

export const DEMO_SSO_APP = "aws-sso-demo";

/** Who reaches which account through Identity Center: a permission set per pushed group (AWS's side). */
const PERMISSION_SETS: { group: string; permissionSet: string; accountId: string }[] = [
  { group: "engineering", permissionSet: "AdministratorAccess", accountId: DEMO_ACCOUNTS["northamerica-staging"] },
  { group: "engineering", permissionSet: "ReadOnlyAccess", accountId: DEMO_ACCOUNTS["northamerica-production"] },
  { group: "finance", permissionSet: "ReadOnlyAccess", accountId: DEMO_ACCOUNTS["acme-management"] },
];

/**
 * The Identity Center side of the demo (the seed guide's Steps 1–3), idempotent: an `aws-iam-identity-center`
 * app pointed at the sandbox's instance with its SCIM token, everyone assigned, two groups pushed and synced,
 * and permission sets assigned to the pushed groups on accounts.
 */
export async function seedIdentityCenterDemo(rt: Runtime, sandbox: SandboxHandle, actor: Actor): Promise<SyncReport> {
  const tenant = DEMO_IDENTITY_CENTER.tenantId;
  const pushed = await Promise.all(["engineering", "finance"].map((name) => rt.store.groups.getByName("local", name)));
  const everyone = await rt.store.groups.getByName("local", "everyone");
  if (!everyone || pushed.some((g) => !g)) throw new Error("seed the directory demo first (seedDemo)");
  const ic = sandbox.identityCenter;
  const settings = {
    baseUrl: ic.scimUrl(tenant),
    pushGroups: pushed.map((g) => g!.id),
    // The instance's SAML values as AWS shows them; the browser posts to the sandbox's twin of the ACS.
    saml: { acsUrl: ic.samlRecipient(tenant), audience: ic.samlAudience(tenant), signinEndpointUrl: ic.acsUrl(tenant) },
  };

  const existing = await rt.store.apps.getBySlug(DEMO_SSO_APP);
  const app: App = existing
    ? await rt.apps.update(actor, existing.id, { settings })
    : await createAppWithKey(rt, actor, {
        slug: DEMO_SSO_APP,
        type: "aws-iam-identity-center",
        label: "AWS IAM Identity Center",
        settings,
      });
  await rt.provisioning.setToken(actor, app.id, DEMO_IDENTITY_CENTER.scimToken);
  // The demo shows provisioning at work; a new admin's own apps start with it off (see `provisioning enable`).
  await rt.provisioning.enable(actor, app.id);
  if (!(await rt.store.assignments.get(app.id, "group", everyone.id)))
    await rt.apps.assign(actor, app.id, "group", everyone.id, {});
  sandbox.identityCenter.admin.setSamlMetadata(tenant, await rt.signingKeys.metadata(app, rt.publicUrl));

  const report = await rt.provisioning.sync(actor, app.id);
  for (const a of PERMISSION_SETS) {
    sandbox.identityCenter.admin.assign(tenant, {
      group: a.group,
      permissionSet: a.permissionSet,
      accountId: a.accountId,
    });
  }
  return report;
}
