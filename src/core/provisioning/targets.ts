import type { Store } from "../../store/contract.js";
import type { App } from "../apps/model.js";
import { validateScimAppSettings } from "../apps/scim-app-settings.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError } from "../errors.js";
import { type RequestOutcome, ScimClient, type ScimClientStats } from "../scim/client.js";
import { ScimOperations } from "../scim/operations.js";
import { awsIdentityCenterProfile, genericScim2Profile } from "../scim/profiles.js";
import { systemTimer, TokenBucket } from "../scim/rate-limit.js";

export const TOKEN = "scim_token";

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

  /** One token bucket per app and target: every sync of that app in this process draws from it. */
  private readonly buckets = new Map<string, { key: string; bucket: TokenBucket }>();

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly fetchImpl: typeof fetch = fetch,
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

  async connect(app: App, retry?: { maxAttempts: number }) {
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
      bucket: this.bucketFor(app.id, target.baseUrl, settings.rateLimitPerSecond),
      fetch: this.fetchImpl,
      ...(retry ? { retry } : {}),
    });
    const profile = app.type === "aws-iam-identity-center" ? awsIdentityCenterProfile : genericScim2Profile;
    return { client, ops: new ScimOperations(client, profile) };
  }

  private bucketFor(appId: string, baseUrl: string, ratePerSecond: number): TokenBucket {
    const key = `${baseUrl} ${ratePerSecond}`;
    const found = this.buckets.get(appId);
    if (found?.key === key) return found.bucket;
    const bucket = new TokenBucket({ ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond)) }, systemTimer);
    this.buckets.set(appId, { key, bucket });
    return bucket;
  }

  private async target(app: App) {
    const settings = validateScimAppSettings(app.settings);
    const sealed = await this.store.appSecrets.get(app.id, TOKEN);
    return settings.baseUrl && sealed ? { settings, baseUrl: settings.baseUrl, sealed } : null;
  }
}
