import { createAppWithKey } from "../core/apps/create.js";
import type { App } from "../core/apps/model.js";
import type { Actor } from "../core/audit.js";
import { defaultAwsClients } from "../core/aws/clients.js";
import { type SamlSetupResult, setUpSamlProviders } from "../core/aws/saml-setup.js";
import type { Runtime } from "../runtime.js";
import type { SandboxHandle } from "../sandbox/index.js";
import { prepareDeletedRole, seedLegacyEstate, UNREACHABLE_ACCOUNT } from "./legacy-estate.js";
import { ROLE_GROUP_SOURCE } from "./seed.js";

export const DEMO_APP = "aws-demo";
export const DEMO_LEGACY_APP = "aws-legacy";

async function ensureApp(
  rt: Runtime,
  actor: Actor,
  slug: string,
  label: string,
  settings: Record<string, unknown>,
): Promise<App> {
  const existing = await rt.store.apps.getBySlug(slug);
  if (!existing) return createAppWithKey(rt, actor, { slug, type: "aws-account-federation", label, settings });
  // The sandbox's URL can change between runs (another port): keep the app pointing at it.
  return rt.apps.update(actor, existing.id, { settings });
}

export interface AwsDemoResult {
  apps: string[];
  samlSetup: SamlSetupResult[];
}

/**
 * The AWS side of the demo, idempotent: the sandbox's accounts get rolebridge as a SAML provider, a
 * group-mapping app (`aws-demo`) maps the directory's role groups, and a legacy API-mode app
 * (`aws-legacy`, playing the old Okta app whose provider is named `okta`) reads role lists from AWS.
 */
export async function seedAwsDemo(rt: Runtime, sandbox: SandboxHandle, actor: Actor): Promise<AwsDemoResult> {
  const accountIds = sandbox.accounts.map((a) => a.id);
  const admin = sandbox.credentials.find((c) => c.userName === "sandbox-admin");
  const legacyKeys = sandbox.credentials.find((c) => c.userName === "okta-api-user");
  if (!admin || !legacyKeys)
    throw new Error("the sandbox fixture lacks the demo's IAM users (sandbox-admin, okta-api-user)");
  const target = { partition: "aws" as const, region: "us-east-1", endpointUrl: sandbox.url };
  const signinEndpointUrl = sandbox.signinUrl("https://signin.aws.amazon.com/saml");

  const groupMapping = await ensureApp(rt, actor, DEMO_APP, "AWS (group mapping)", {
    useGroupMapping: true,
    appFilter: ROLE_GROUP_SOURCE,
    defaultSamlProviderName: "rolebridge",
    signinEndpointUrl,
  });
  const legacy = await ensureApp(rt, actor, DEMO_LEGACY_APP, "AWS (legacy API mode)", {
    defaultSamlProviderName: "okta",
    signinEndpointUrl,
    // One connected account no longer answers (closed since): the migration reports it.
    api: {
      enabled: true,
      endpointUrl: sandbox.url,
      connectedAccountIds: [...accountIds, UNREACHABLE_ACCOUNT],
      refreshIntervalMinutes: 60,
    },
  });

  // "Set up AWS accounts for SAML": each app's metadata becomes the provider its roles trust.
  const samlSetup = [
    ...(await setUpSamlProviders(defaultAwsClients, target, admin, {
      accountIds,
      providerName: "rolebridge",
      metadata: await rt.signingKeys.metadata(groupMapping, rt.publicUrl),
    })),
    ...(await setUpSamlProviders(defaultAwsClients, target, admin, {
      accountIds,
      providerName: "okta",
      metadata: await rt.signingKeys.metadata(legacy, rt.publicUrl),
    })),
  ];

  let after: string | undefined;
  do {
    const page = await rt.store.groups.list({ source: ROLE_GROUP_SOURCE }, { limit: 200, after });
    for (const g of page.items) {
      if (!(await rt.store.assignments.get(groupMapping.id, "group", g.id)))
        await rt.apps.assign(actor, groupMapping.id, "group", g.id, {});
    }
    after = page.nextCursor ?? undefined;
  } while (after);

  await rt.legacyApi.setCredentials(actor, legacy.id, {
    accessKeyId: legacyKeys.accessKeyId,
    secretAccessKey: legacyKeys.secretAccessKey,
  });
  // The policy audit reads, and its fix writes, the API user's policy with the sandbox's administrator.
  await rt.policy.setAdminCredentials(actor, legacy.id, {
    accessKeyId: admin.accessKeyId,
    secretAccessKey: admin.secretAccessKey,
  });
  await prepareDeletedRole(rt, legacy, target, admin);
  await rt.legacyApi.refresh(actor, legacy.id);
  await seedLegacyEstate(rt, legacy, actor, target, admin);
  return { apps: [DEMO_APP, DEMO_LEGACY_APP], samlSetup };
}
