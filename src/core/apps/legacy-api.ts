import type { Store } from "../../store/contract.js";
import type { AccountRoleList, RefreshRun } from "../../store/contract-apps.js";
import { allPages } from "../../store/pages.js";
import { type Actor, appTarget, logEvent } from "../audit.js";
import {
  type AwsClientFactory,
  type AwsTarget,
  awsErrorSummary,
  awsFailure,
  defaultAwsClients,
} from "../aws/clients.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError, validationFailed } from "../errors.js";
import { type Clock, systemClock } from "../ids.js";
import { type LegacyApiSettings, validateAwsFederationSettings } from "./aws-federation-settings.js";
import type { App } from "./model.js";
import type { AppService } from "./service.js";

const SECRET_NAME = "aws_secret_access_key";
const LEASE_MS = 10 * 60_000;
const secretContext = (app: App) => `app:${app.id}:${SECRET_NAME}`;

export interface RefreshSummary {
  status: RefreshRun["status"];
  accounts: Array<Pick<AccountRoleList, "accountId" | "alias" | "status" | "error"> & { roleCount: number }>;
}

/**
 * Legacy API mode: an IAM user's access keys (secret sealed at rest) read role lists from AWS — the
 * source account directly, connected accounts through the cross-account role. It provisions nothing.
 */
export class LegacyApiService {
  constructor(
    private readonly store: Store,
    private readonly apps: AppService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock = systemClock,
    private readonly clients: AwsClientFactory = defaultAwsClients,
  ) {}

  async setCredentials(actor: Actor, idOrSlug: string, keys: { accessKeyId: string; secretAccessKey: string }) {
    if (!/^[A-Za-z0-9/+=]{16,128}$/.test(keys.secretAccessKey)) {
      throw validationFailed("the secret access key is invalid", [
        { path: "/secretAccessKey", message: "must be 16-128 characters of A-Z a-z 0-9 / + =" },
      ]);
    }
    const app = await this.apps.get(idOrSlug);
    const api = this.settingsOf(app);
    const updated = await this.apps.update(actor, app.id, {
      settings: { api: { ...api, accessKeyId: keys.accessKeyId } },
    });
    await this.store.transaction(async (tx) => {
      await tx.appSecrets.put(
        app.id,
        SECRET_NAME,
        this.secrets.seal(keys.secretAccessKey, secretContext(app)),
        this.clock.now().toISOString(),
      );
      await tx.log.append(
        logEvent(this.clock, actor, "application.credentials.update", appTarget(app), {
          accessKeyId: keys.accessKeyId,
          secretAccessKey: "changed",
        }),
      );
    });
    return updated;
  }

  /** Okta's "Test API Credentials": who the keys are, and whether they may list roles. */
  async testCredentials(
    idOrSlug: string,
  ): Promise<{ ok: true; accountId: string; arn: string } | { ok: false; code: string; message: string }> {
    const app = await this.apps.get(idOrSlug);
    const { target, credentials } = await this.connection(app);
    try {
      const { callerIdentity } = await import("../aws/role-discovery.js");
      const who = await callerIdentity(this.clients, target, credentials);
      return { ok: true, ...who };
    } catch (err) {
      return { ok: false, ...awsErrorSummary(err) };
    }
  }

  /** "Refresh Application Data" now. Refused while another node's refresh of the same app runs. */
  async refresh(actor: Actor, idOrSlug: string): Promise<RefreshSummary> {
    const app = await this.apps.get(idOrSlug);
    const now = this.clock.now();
    const claimed = await this.store.roleCatalog.claimRefresh(
      app.id,
      now.toISOString(),
      new Date(now.getTime() + LEASE_MS).toISOString(),
    );
    if (!claimed) throw new DomainError("conflict", `a refresh of ${app.slug} is already running`);
    return this.run(actor, app);
  }

  /** The scheduler's entry: refreshes each API-mode app whose interval has passed (one node wins each). */
  async refreshDue(actor: Actor): Promise<Array<{ app: string; summary?: RefreshSummary; error?: string }>> {
    const out: Array<{ app: string; summary?: RefreshSummary; error?: string }> = [];
    for await (const app of allPages((after) => this.apps.list({ limit: 100, after }, "aws-account-federation"))) {
      const api = this.settingsOf(app);
      if (app.status !== "ACTIVE" || !api.enabled || api.refreshIntervalMinutes === 0) continue;
      const now = this.clock.now();
      const notBefore = new Date(now.getTime() - api.refreshIntervalMinutes * 60_000).toISOString();
      const lease = new Date(now.getTime() + LEASE_MS).toISOString();
      if (!(await this.store.roleCatalog.claimRefresh(app.id, now.toISOString(), lease, notBefore))) continue;
      try {
        out.push({ app: app.slug, summary: await this.run(actor, app) });
      } catch (err) {
        out.push({ app: app.slug, error: (err as Error).message });
      }
    }
    return out;
  }

  /**
   * The role lists as pickers show them: roles no SAML provider can assume are left out (and counted in
   * `hiddenRoles`) unless `all` is set.
   */
  async roleLists(
    idOrSlug: string,
    opts: { all?: boolean } = {},
  ): Promise<{ lists: AccountRoleList[]; lastRefresh: RefreshRun | null; hiddenRoles: number }> {
    const app = await this.apps.get(idOrSlug);
    const stored = await this.store.roleCatalog.listForApp(app.id);
    let hiddenRoles = 0;
    const lists = opts.all
      ? stored
      : stored.map((l) => {
          const roles = l.roles.filter((r) => r.samlAssumable !== false);
          hiddenRoles += l.roles.length - roles.length;
          return { ...l, roles };
        });
    return { lists, lastRefresh: await this.store.roleCatalog.lastRefresh(app.id), hiddenRoles };
  }

  private async run(actor: Actor, app: App): Promise<RefreshSummary> {
    const api = this.settingsOf(app);
    try {
      const conn = await this.connection(app);
      const { discoverRoles } = await import("../aws/role-discovery.js");
      const found = await discoverRoles(this.clients, conn.target, conn.credentials, {
        connectedAccountIds: api.connectedAccountIds,
        crossAccountRoleName: api.crossAccountRoleName,
        sessionName: "rolebridge-refresh",
      });
      const at = this.clock.now().toISOString();
      const status: RefreshRun["status"] = found.every((a) => a.status === "ok") ? "ok" : "partial";
      await this.store.transaction(async (tx) => {
        for (const a of found) await tx.roleCatalog.put({ ...a, appId: app.id, refreshedAt: at });
        await tx.roleCatalog.retainAccounts(
          app.id,
          found.map((a) => a.accountId),
        );
        await tx.roleCatalog.finishRefresh(app.id, at, status, null);
        await tx.log.append(
          logEvent(this.clock, actor, "application.aws.refresh", appTarget(app), {
            status,
            accounts: found.map((a) => ({ accountId: a.accountId, roles: a.roles.length, status: a.status })),
          }),
        );
      });
      return {
        status,
        accounts: found.map((a) => ({
          accountId: a.accountId,
          alias: a.alias,
          status: a.status,
          error: a.error,
          roleCount: a.roles.length,
        })),
      };
    } catch (err) {
      const message =
        err instanceof DomainError ? err.message : `${awsErrorSummary(err).code}: ${awsErrorSummary(err).message}`;
      await this.store.roleCatalog.finishRefresh(app.id, this.clock.now().toISOString(), "error", message);
      throw err instanceof DomainError ? err : awsFailure(`refreshing ${app.slug} failed`, err);
    }
  }

  private settingsOf(app: App): LegacyApiSettings {
    if (app.type !== "aws-account-federation") throw new DomainError("conflict", `app ${app.slug} has no AWS API mode`);
    return validateAwsFederationSettings(app.settings).api;
  }

  /** The app's AWS target and opened keys, for reads beyond the role lists (the migration inventory). */
  async awsAccess(idOrSlug: string) {
    const app = await this.apps.get(idOrSlug);
    return { ...(await this.connection(app)), api: this.settingsOf(app), clients: this.clients };
  }

  /** The app's AWS target and its API-mode keys (secret opened from the store). */
  async connection(app: App) {
    const settings = validateAwsFederationSettings(app.settings);
    const api = settings.api;
    const sealed = await this.store.appSecrets.get(app.id, SECRET_NAME);
    if (!api.accessKeyId || !sealed) {
      throw new DomainError("conflict", `app ${app.slug} has no AWS access key; set one first`, {
        reason: "no_credentials",
      });
    }
    const target: AwsTarget = {
      partition: settings.partition,
      region: api.region,
      endpointUrl: api.endpointUrl ?? null,
    };
    return {
      target,
      credentials: { accessKeyId: api.accessKeyId, secretAccessKey: this.secrets.open(sealed, secretContext(app)) },
    };
  }
}
