import type { Store } from "../../store/contract.js";
import type { App } from "../apps/model.js";
import { type ScimAppSettings, validateScimAppSettings } from "../apps/scim-app-settings.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError } from "../errors.js";
import { type BudgetLimits, inProcessBudgets, type ScimBudgets, singleBudget } from "../scim/budgets.js";
import { type RequestOutcome, ScimClient, type ScimClientStats } from "../scim/client.js";
import { ScimOperations } from "../scim/operations.js";
import { PagingDiscovery } from "../scim/paging.js";
import { awsIdentityCenterProfile, genericScim2Profile, type TargetProfile } from "../scim/profiles.js";
import { type RateLimit, type RequestBudget, systemTimer, TokenBucket } from "../scim/rate-limit.js";

export const TOKEN = "scim_token";

/** What one app may spend: per class where the target throttles per class (AWS), else one rate for everything. */
export type AppLimits = { perClass: BudgetLimits } | { single: RateLimit };

/**
 * Makes the budgets of one app's target, called once per app (again when its limits or target change). The
 * default keeps in-process token buckets, shared by every sync of the app in this process; a shared
 * implementation (database, Redis) passed here makes several nodes keep one budget together.
 */
export type BudgetFactory = (appId: string, limits: AppLimits) => ScimBudgets;

export const inProcessBudgetFactory: BudgetFactory = (_appId, limits) =>
  "perClass" in limits
    ? inProcessBudgets(limits.perClass, systemTimer)
    : singleBudget(new TokenBucket(limits.single, systemTimer));

const perSecond = (ratePerSecond: number, minimumBurst = 1): RateLimit => ({
  ratePerSecond,
  burst: Math.max(minimumBurst, Math.ceil(ratePerSecond)),
});

/**
 * Budgets that grant nothing once `signal` is aborted (the node is stopping): every request not yet sent fails at
 * once, as retryable, so the sync ends in moments, its outbox rows go back for another node and its lease is
 * released, instead of holding the shutdown for as long as the sync would take. A sync stopped between two
 * requests is what the in-doubt marks were made for: the next one re-sends what may not have landed.
 */
export function stoppable(budgets: ScimBudgets, signal: AbortSignal): ScimBudgets {
  const guard = (budget: RequestBudget): RequestBudget => ({
    async take(cost) {
      if (!signal.aborted) await budget.take(cost);
      if (signal.aborted) {
        throw new DomainError("conflict", "not sent: this rolebridge node is shutting down; another node will", {
          reason: "node_stopping",
          retryable: true,
        });
      }
    },
    pauseFor: (ms) => budget.pauseFor(ms),
  });
  return {
    read: guard(budgets.read),
    write: guard(budgets.write),
    ...(budgets.membership ? { membership: guard(budgets.membership) } : {}),
  };
}

/** The app's limits: its settings over the profile's published defaults. */
export function appLimits(profile: TargetProfile, settings: ScimAppSettings): AppLimits {
  const defaults = profile.budgets;
  if (!defaults) return { single: perSecond(settings.rateLimitPerSecond) };
  const set = settings.budgets ?? {};
  return {
    perClass: {
      read: set.readPerSecond === undefined ? defaults.read : perSecond(set.readPerSecond),
      write: set.writePerSecond === undefined ? defaults.write : perSecond(set.writePerSecond),
      // The burst must hold the largest request the target takes, or a full PATCH could never be sent.
      membership:
        set.membershipOpsPerSecond === undefined
          ? defaults.membership
          : perSecond(set.membershipOpsPerSecond, profile.maxMembershipOpsPerPatch),
    },
  };
}

/**
 * Opens SCIM connections to provisioning apps' targets (the API token unsealed only here) and keeps the
 * process-wide request counters /metrics reads.
 */
export class ScimTargets {
  /** Requests to SCIM targets since start, by outcome, with throttles and retries. */
  readonly totals = {
    requests: { ok: 0, clientError: 0, serverError: 0, throttled: 0, authError: 0, networkError: 0 } as Record<
      RequestOutcome,
      number
    >,
    throttles: 0,
    retries: 0,
    exhausted: 0,
  };

  /**
   * Per app: its budgets (every sync of that app in this process draws from them) and its target's advertised
   * paging, both kept while the target and limits stay the same.
   */
  private readonly shared = new Map<string, { key: string; budgets: ScimBudgets; paging: PagingDiscovery }>();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly budgetFactory: BudgetFactory = inProcessBudgetFactory,
  ) {}

  /** Adds one client's counters to the totals; returns how many requests it sent. */
  account(stats: ScimClientStats): number {
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

  /** Whether the app has what provisioning needs: a Base URL and an API token. */
  async isConfigured(app: App): Promise<boolean> {
    return (await this.target(app)) !== null;
  }

  /** `signal`: aborted when the node stops; from then on this connection sends nothing (see `stoppable`). */
  async connect(app: App, retry?: { maxAttempts: number }, signal?: AbortSignal) {
    const target = await this.target(app);
    if (!target) {
      throw new DomainError("conflict", `app ${app.slug} needs a Base URL and an API token before it can provision`, {
        reason: "not_configured",
      });
    }
    const { settings, sealed } = target;
    const profile = app.type === "aws-iam-identity-center" ? awsIdentityCenterProfile : genericScim2Profile;
    const limits = appLimits(profile, settings);
    const shared = this.sharedFor(app.id, target.baseUrl, limits);
    const client = new ScimClient({
      baseUrl: target.baseUrl,
      token: this.secrets.open(sealed, `app:${app.id}:${TOKEN}`),
      budgets: signal ? stoppable(shared.budgets, signal) : shared.budgets,
      fetch: this.fetchImpl,
      ...(retry ? { retry } : {}),
    });
    const perClass = "perClass" in limits ? { limits: limits.perClass } : {};
    return { client, ops: new ScimOperations(client, profile, { paging: shared.paging, ...perClass }) };
  }

  private sharedFor(appId: string, baseUrl: string, limits: AppLimits) {
    const key = JSON.stringify([baseUrl, limits]);
    const found = this.shared.get(appId);
    if (found?.key === key) return found;
    // Same target, new limits: the paging it advertises is still known.
    const paging = found && JSON.parse(found.key)[0] === baseUrl ? found.paging : new PagingDiscovery();
    const entry = { key, budgets: this.budgetFactory(appId, limits), paging };
    this.shared.set(appId, entry);
    return entry;
  }

  private async target(app: App) {
    const settings = validateScimAppSettings(app.settings);
    const sealed = await this.store.appSecrets.get(app.id, TOKEN);
    return settings.baseUrl && sealed ? { settings, baseUrl: settings.baseUrl, sealed } : null;
  }
}
