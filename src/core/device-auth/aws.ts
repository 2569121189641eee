import type { Store } from "../../store/contract.js";
import type { CliSession } from "../../store/contract-device.js";
import { validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import { buildAwsSignIn } from "../apps/aws-sign-in.js";
import { appEntitlements } from "../apps/entitlements.js";
import type { App } from "../apps/model.js";
import type { SigningKeyService } from "../apps/signing-keys.js";
import { logEvent } from "../audit.js";
import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import type { Clock } from "../ids.js";

export interface CliAwsDeps {
  store: Store;
  keys: SigningKeyService;
  publicUrl: string;
  clock: Clock;
}

/** One role as the CLI shows and selects it: `alias/role`, with the account and the app it comes through. */
export interface CliAwsRole {
  name: string;
  roleArn: string;
  providerArn: string;
  accountId: string;
  accountAlias: string | null;
  roleName: string;
  app: string;
  partition: string;
}

export interface CliAwsApp {
  slug: string;
  label: string;
  partition: string;
  roles: CliAwsRole[];
}

/** The person's active AWS account-federation apps that allow command-line credentials. */
async function cliApps(store: Store, user: User): Promise<App[]> {
  const groups = await store.memberships.groupsOfUser(user.id);
  const ids = await store.assignments.appIdsForUser(
    user.id,
    groups.map((g) => g.id),
  );
  const apps = await Promise.all(ids.map((id) => store.apps.get(id)));
  return apps.filter(
    (a): a is App =>
      a !== null &&
      a.status === "ACTIVE" &&
      a.type === "aws-account-federation" &&
      validateAwsFederationSettings(a.settings).cliCredentials.allowed,
  );
}

/**
 * Every role the person has, app by app, through the same `appEntitlements` -> `resolveRoles` path as the
 * browser sign-in. The alias comes from the role group when it names one, else from the account alias the
 * last role-list refresh found, else the account id stands in.
 */
export async function cliAwsRoles(store: Store, user: User): Promise<CliAwsApp[]> {
  const result: CliAwsApp[] = [];
  for (const app of await cliApps(store, user)) {
    const settings = validateAwsFederationSettings(app.settings);
    const entitlements = await appEntitlements(store, app, user);
    const refreshedAliases = new Map(
      (await store.roleCatalog.listForApp(app.id)).map((l) => [l.accountId, l.alias] as const),
    );
    const roles = entitlements.roles.map((r) => {
      const accountAlias = r.alias ?? refreshedAliases.get(r.accountId) ?? null;
      return {
        name: `${accountAlias ?? r.accountId}/${r.roleName}`,
        roleArn: r.roleArn,
        providerArn: r.providerArn,
        accountId: r.accountId,
        accountAlias,
        roleName: r.roleName,
        app: app.slug,
        partition: settings.partition,
      };
    });
    result.push({ slug: app.slug, label: app.label, partition: settings.partition, roles });
  }
  return result;
}

/**
 * The signed SAMLResponse a program exchanges at STS (AssumeRoleWithSAML): built by `buildAwsSignIn`, the
 * browser's own path, and logged with the browser's event, marked `via: cli`. The app's own CLI rules come
 * first: command-line credentials allowed, and a sign-in no older than the app accepts.
 */
export async function cliSamlResponse(
  deps: CliAwsDeps,
  user: User,
  session: CliSession,
  slug: string,
  requestId: string | null,
) {
  const app = await deps.store.apps.getBySlug(slug);
  if (app?.type !== "aws-account-federation") {
    throw new DomainError("not_found", `there is no AWS app ${JSON.stringify(slug)}`, { app: slug });
  }
  const cli = validateAwsFederationSettings(app.settings).cliCredentials;
  if (!cli.allowed) {
    throw new DomainError("forbidden", `${app.label} does not allow command-line credentials; ask your administrator`, {
      reason: "cli_not_allowed",
    });
  }
  const ageMs = deps.clock.now().getTime() - Date.parse(session.created);
  if (ageMs > cli.maxSessionHours * 3_600_000) {
    throw new DomainError(
      "unauthorized",
      `${app.label} accepts a command-line sign-in for ${cli.maxSessionHours} hours; run \`rolebridge aws login\``,
      { reason: "cli_session_too_old" },
    );
  }
  const signIn = await buildAwsSignIn(deps, app, user);
  await deps.store.log.append(
    logEvent(
      deps.clock,
      { type: "user", id: user.id, display: user.profile.login, requestId },
      "user.authentication.sso",
      { type: "app", id: app.id, display: app.slug },
      {
        roles: signIn.response.roleCount,
        acsUrl: signIn.acsUrl,
        omittedTags: signIn.omittedTags,
        via: "cli",
        cliSession: session.id,
      },
    ),
  );
  return {
    app: app.slug,
    partition: validateAwsFederationSettings(app.settings).partition,
    samlResponse: signIn.response.base64,
    roles: signIn.entitlements.roles.map((r) => ({ roleArn: r.roleArn, providerArn: r.providerArn })),
  };
}
