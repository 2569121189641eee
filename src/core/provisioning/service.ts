import type { Store } from "../../store/contract.js";
import type { ProvisionedObject } from "../../store/contract-outbox.js";
import type { App } from "../apps/model.js";
import { validateScimAppSettings } from "../apps/scim-app-settings.js";
import type { AppService } from "../apps/service.js";
import { type Actor, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError, validationFailed } from "../errors.js";
import { type Clock, systemClock } from "../ids.js";
import { type RequestOutcome, ScimClient, type ScimClientStats } from "../scim/client.js";
import { ScimError } from "../scim/errors.js";
import { ScimOperations } from "../scim/operations.js";
import { planReconcile } from "../scim/plan.js";
import { formatPlan } from "../scim/plan-text.js";
import { awsIdentityCenterProfile, genericScim2Profile } from "../scim/profiles.js";
import { applyPlan, type ObjectResult } from "../scim/reconcile.js";
import { desiredState } from "./desired-state.js";
import { PROVISIONING_APP_TYPES } from "./outbox.js";
import { recordSync, recordSyncFailure } from "./record.js";

const TOKEN = "scim_token";

export interface SyncReport {
  dryRun: boolean;
  /** One line per planned request, as `--dry-run` prints it. */
  plan: string[];
  /** Planned operations; 0 means the target already matches. */
  changes: number;
  results: ObjectResult[];
  requests: number;
}

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
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

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
        logEvent(
          this.clock,
          actor,
          "application.provisioning.token.update",
          { type: "app", id: app.id, display: app.slug },
          { token: "changed" },
        ),
      );
    });
  }

  /** Okta's "Test API Credentials": the first page of users, as Okta asks AWS for it. */
  async testCredentials(
    idOrSlug: string,
  ): Promise<{ ok: true } | { ok: false; status: number | null; message: string }> {
    const { client } = await this.connect(await this.provisioningApp(idOrSlug), { maxAttempts: 1 });
    try {
      await client.request("GET", "/Users", { query: { startIndex: 1, count: 2 } });
      return { ok: true };
    } catch (err) {
      if (err instanceof ScimError) return { ok: false, status: err.httpStatus, message: err.message };
      throw err;
    }
  }

  /**
   * Reads the target, diffs it with the directory and applies the fewest changes, or with `dryRun` only
   * plans them. Operations the app's To App features switch off are left out of the plan.
   */
  async sync(
    actor: Actor,
    idOrSlug: string,
    opts: { dryRun?: boolean; trigger?: "schedule" } = {},
  ): Promise<SyncReport> {
    const app = await this.provisioningApp(idOrSlug);
    const settings = validateScimAppSettings(app.settings);
    const { client, ops } = await this.connect(app);
    const startedAt = this.clock.now().toISOString();
    const desired = await desiredState(this.store, app, settings, ops.profile);
    const known = await this.knownMemberships(app.id);
    let planned: Awaited<ReturnType<typeof planReconcile>>;
    try {
      planned = await planReconcile(ops, desired, { knownMemberships: known });
    } catch (err) {
      // The target could not even be read: say so on every object, then let the caller retry later.
      this.account(client.stats);
      if (!opts.dryRun && err instanceof ScimError) {
        const at = this.clock.now().toISOString();
        await this.store.transaction((tx) => recordSyncFailure(tx, app.id, desired, err.message, at));
        await this.store.fullSyncs.finish(app.id, startedAt, at, err.message);
      }
      throw err;
    }
    const plan = { ...planned, ops: planned.ops.filter((op) => this.allowed(settings.features, op.kind)) };
    const dryRun = opts.dryRun ?? false;
    let results: ObjectResult[] = [];
    if (!dryRun) {
      const outcome = await applyPlan(ops, plan);
      results = outcome.results;
      const at = this.clock.now().toISOString();
      await this.store.transaction(async (tx) => {
        await recordSync(tx, app.id, desired, plan, outcome, at);
        // Any full sync counts for the schedule: a reconciliation the outbox just ran needs no scheduled twin.
        await tx.fullSyncs.finish(app.id, startedAt, at, null);
      });
    }
    const report: SyncReport = {
      dryRun,
      plan: formatPlan(plan),
      changes: plan.ops.length,
      results,
      requests: this.account(client.stats),
    };
    if (!dryRun) {
      const failed = results.filter((r) => r.status === "error").length;
      await this.store.log.append(
        logEvent(
          this.clock,
          actor,
          "application.provisioning.sync",
          { type: "app", id: app.id, display: app.slug },
          {
            changes: plan.ops.length,
            failed,
            requests: report.requests,
            ...(opts.trigger ? { trigger: opts.trigger } : {}),
          },
          failed ? "FAILURE" : "SUCCESS",
        ),
      );
    }
    return report;
  }

  /**
   * DELETE on the target, only on the admin's explicit request (unassigning only deactivates). The person
   * must no longer be assigned, or the next sync would create them again.
   */
  async deleteUser(actor: Actor, idOrSlug: string, userId: string): Promise<void> {
    const app = await this.provisioningApp(idOrSlug);
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
    const { client, ops } = await this.connect(app);
    try {
      await ops.deleteUser(row.remoteId);
    } finally {
      this.account(client.stats);
    }
    await this.store.transaction(async (tx) => {
      await tx.provisioned.remove(app.id, "user", userId);
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "application.provisioning.user.delete",
          { type: "app", id: app.id, display: app.slug },
          {
            userId,
            remoteId: row.remoteId,
          },
        ),
      );
    });
  }

  /** Requests to SCIM targets since start, by outcome, with throttles and retries: read by /metrics. */
  readonly totals = {
    requests: { ok: 0, clientError: 0, serverError: 0, throttled: 0, authError: 0, networkError: 0 } as Record<
      RequestOutcome,
      number
    >,
    throttles: 0,
    retries: 0,
    exhausted: 0,
  };

  /** Adds one client's counters to the totals; returns how many requests it sent. */
  private account(stats: ScimClientStats): number {
    let sent = 0;
    for (const [outcome, n] of Object.entries(stats.requests) as [RequestOutcome, number][]) {
      this.totals.requests[outcome] += n;
      sent += n;
    }
    this.totals.throttles += stats.throttles;
    this.totals.retries += stats.retries;
    this.totals.exhausted += stats.exhausted;
    return sent;
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
        syncedAt: app.lastUpdated,
      }));
    return [...recorded, ...pending];
  }

  /** The members last written per group: AWS never lists them, so this is how a sync knows them. */
  private async knownMemberships(appId: string): Promise<Record<string, string[]>> {
    const known: Record<string, string[]> = {};
    for (const g of await this.store.provisioned.listForApp(appId, "group")) {
      if (g.members && g.status === "active") known[g.objectId] = g.members;
    }
    return known;
  }

  private allowed(
    features: { createUsers: boolean; updateUsers: boolean; deactivateUsers: boolean },
    kind: string,
  ): boolean {
    if (kind === "createUser") return features.createUsers;
    if (kind === "updateUser") return features.updateUsers;
    // Okta's "Deactivate Users" covers both directions.
    if (kind === "deactivateUser" || kind === "reactivateUser") return features.deactivateUsers;
    return true;
  }

  private async provisioningApp(idOrSlug: string): Promise<App> {
    const app = await this.apps.get(idOrSlug);
    if (!(PROVISIONING_APP_TYPES as readonly string[]).includes(app.type))
      throw new DomainError("conflict", `app ${app.slug} does not provision (it is ${app.type})`);
    return app;
  }

  /** Whether the app has what provisioning needs: a Base URL and an API token. */
  async isConfigured(app: App): Promise<boolean> {
    return (await this.target(app)) !== null;
  }

  private async target(app: App) {
    const settings = validateScimAppSettings(app.settings);
    const sealed = await this.store.appSecrets.get(app.id, TOKEN);
    return settings.baseUrl && sealed ? { settings, baseUrl: settings.baseUrl, sealed } : null;
  }

  private async connect(app: App, retry?: { maxAttempts: number }) {
    const target = await this.target(app);
    if (!target) {
      throw new DomainError("conflict", `app ${app.slug} needs a Base URL and an API token before it can provision`, {
        reason: "not_configured",
      });
    }
    const { settings, sealed } = target;
    const client = new ScimClient({
      baseUrl: target.baseUrl,
      token: this.secrets.open(sealed, `app:${app.id}:${TOKEN}`),
      rateLimit: {
        ratePerSecond: settings.rateLimitPerSecond,
        burst: Math.max(1, Math.ceil(settings.rateLimitPerSecond)),
      },
      fetch: this.fetchImpl,
      ...(retry ? { retry } : {}),
    });
    const profile = app.type === "aws-iam-identity-center" ? awsIdentityCenterProfile : genericScim2Profile;
    return { client, ops: new ScimOperations(client, profile) };
  }
}
