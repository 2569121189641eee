import type { Store } from "../../store/contract.js";
import type { ProvisionedObject } from "../../store/contract-outbox.js";
import type { App } from "../apps/model.js";
import { validateScimAppSettings } from "../apps/scim-app-settings.js";
import type { AppService } from "../apps/service.js";
import { type Actor, appTarget, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError, validationFailed } from "../errors.js";
import { type Clock, systemClock } from "../ids.js";
import { ScimError } from "../scim/errors.js";
import type { ChangeScope } from "./change-plan.js";
import { PROVISIONING_APP_TYPES } from "./outbox.js";
import { sharedBudgetFactory } from "./shared-budgets.js";
import { type SyncOptions, type SyncReport, SyncRunner } from "./sync-run.js";
import { type BudgetFactory, ScimTargets, TOKEN } from "./targets.js";

export type { SyncReport } from "./sync-run.js";

/**
 * Provisioning apps (AWS IAM Identity Center, generic SCIM 2.0): the API token (sealed at rest), Test API
 * Credentials, and full reconciliation of the assigned people and pushed groups ("sync now").
 */
export class ProvisioningService {
  constructor(
    private readonly store: Store,
    private readonly apps: AppService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock = systemClock,
    fetchImpl: typeof fetch = fetch,
    // Kept in the database by default: every node (and a CLI sync beside the server) shares one budget per app.
    budgetFactory: BudgetFactory = sharedBudgetFactory(store),
  ) {
    this.targets = new ScimTargets(store, secrets, fetchImpl, budgetFactory);
    this.runner = new SyncRunner(store, this.targets, clock);
  }

  private readonly targets: ScimTargets;
  private readonly runner: SyncRunner;

  async setToken(actor: Actor, idOrSlug: string, token: string): Promise<void> {
    const app = await this.provisioningApp(idOrSlug);
    if (!/^\S{8,4096}$/.test(token)) {
      throw validationFailed("the API token is invalid", [
        { path: "/token", message: "must be 8-4096 characters without spaces" },
      ]);
    }
    await this.store.transaction(async (tx) => {
      await tx.appSecrets.put(
        app.id,
        TOKEN,
        this.secrets.seal(token, `app:${app.id}:${TOKEN}`),
        this.clock.now().toISOString(),
      );
      await tx.log.append(
        logEvent(this.clock, actor, "application.provisioning.token.update", appTarget(app), { token: "changed" }),
      );
    });
  }

  /** Okta's "Test API Credentials": the first page of users, as Okta asks AWS for it. */
  async testCredentials(
    idOrSlug: string,
  ): Promise<{ ok: true } | { ok: false; status: number | null; message: string }> {
    const { client } = await this.targets.connect(await this.provisioningApp(idOrSlug), { maxAttempts: 1 });
    try {
      await client.request("GET", "/Users", { query: { startIndex: 1, count: 2 } });
      return { ok: true };
    } catch (err) {
      if (err instanceof ScimError) return { ok: false, status: err.httpStatus, message: err.message };
      throw err;
    }
  }

  /**
   * "Sync now" and the scheduled run: reads the whole target, diffs it with the directory and applies the
   * fewest changes, or with `dryRun` only plans them. Operations the app's To App features switch off are
   * left out of the plan.
   */
  async sync(actor: Actor, idOrSlug: string, opts: SyncOptions = {}) {
    const app = await this.provisioningApp(idOrSlug);
    if (!opts.dryRun) assertEnabled(app);
    return this.runner.full(actor, app, opts);
  }

  /** The outbox worker's sync: only what the changes concern (see planChange), full when that is no cheaper. */
  async syncChanges(actor: Actor, idOrSlug: string, changed: ChangeScope, signal?: AbortSignal): Promise<SyncReport> {
    return this.runner.changes(actor, assertEnabled(await this.provisioningApp(idOrSlug)), changed, signal);
  }

  /** Okta's "Enable API integration": from now on changes are sent, starting with a full reconciliation. */
  async enable(actor: Actor, idOrSlug: string): Promise<App> {
    return this.apps.setProvisioningEnabled(actor, (await this.provisioningApp(idOrSlug)).id, true);
  }

  /** Nothing is sent any more (dry runs still work); changes made meanwhile are reconciled when enabled again. */
  async disable(actor: Actor, idOrSlug: string): Promise<App> {
    return this.apps.setProvisioningEnabled(actor, (await this.provisioningApp(idOrSlug)).id, false);
  }

  /**
   * DELETE on the target, only on the admin's explicit request (unassigning only deactivates). The person
   * must no longer be assigned, or the next sync would create them again.
   */
  async deleteUser(actor: Actor, idOrSlug: string, userId: string): Promise<void> {
    const app = assertEnabled(await this.provisioningApp(idOrSlug));
    const row = (await this.store.provisioned.listForApp(app.id, "user")).find((o) => o.objectId === userId);
    if (!row?.remoteId) throw new DomainError("not_found", `user ${userId} is not provisioned to ${app.slug}`);
    const user = await this.store.users.get(userId);
    const groupIds = user ? (await this.store.memberships.groupsOfUser(user.id)).map((g) => g.id) : [];
    if (user && (await this.store.assignments.forUser(app.id, user.id, groupIds)).length > 0) {
      throw new DomainError(
        "conflict",
        `unassign ${user.profile.login} from ${app.slug} first; a sync would create them again`,
      );
    }
    const { client, ops } = await this.targets.connect(app);
    try {
      await ops.deleteUser(row.remoteId);
    } finally {
      this.targets.account(client.stats);
    }
    await this.store.transaction(async (tx) => {
      await tx.provisioned.remove(app.id, "user", userId);
      await tx.log.append(
        logEvent(this.clock, actor, "application.provisioning.user.delete", appTarget(app), {
          userId,
          remoteId: row.remoteId,
        }),
      );
    });
  }

  /** Requests to SCIM targets since start, by outcome, with throttles and retries: read by /metrics. */
  get totals() {
    return this.targets.totals;
  }

  /** Per user and pushed group: remote id, status and last error, as the last sync left them. */
  async status(idOrSlug: string): Promise<ProvisionedObject[]> {
    const app = await this.provisioningApp(idOrSlug);
    const recorded = await this.store.provisioned.listForApp(app.id);
    const seen = new Set(recorded.filter((o) => o.kind === "group").map((o) => o.objectId));
    const pending: ProvisionedObject[] = validateScimAppSettings(app.settings)
      .pushGroups.filter((id) => !seen.has(id))
      .map((id) => ({
        appId: app.id,
        kind: "group",
        objectId: id,
        remoteId: null,
        status: "pending",
        lastError: null,
        members: null,
        inDoubt: null,
        syncedAt: app.lastUpdated,
      }));
    return [...recorded, ...pending];
  }

  private async provisioningApp(idOrSlug: string): Promise<App> {
    const app = await this.apps.get(idOrSlug);
    if (!(PROVISIONING_APP_TYPES as readonly string[]).includes(app.type))
      throw new DomainError("conflict", `app ${app.slug} does not provision (it is ${app.type})`);
    return app;
  }

  /** Whether the app has what provisioning needs: a Base URL and an API token. */
  isConfigured(app: App): Promise<boolean> {
    return this.targets.isConfigured(app);
  }
}

/** Every path that writes to the target goes through here: while provisioning is off nothing is sent. */
function assertEnabled(app: App): App {
  if (app.provisioningEnabled) return app;
  throw new DomainError(
    "conflict",
    `provisioning to ${app.slug} is disabled, so nothing is sent: preview with \`rolebridge provisioning sync --app ${app.slug} --dry-run\`, then turn it on with \`rolebridge provisioning enable --app ${app.slug}\``,
    { enabled: false },
  );
}
