import { membershipCost, type ScimBudgets, singleBudget } from "./budgets.js";
import { classifyStatus, parseErrorBody, parseRetryAfter, ScimError } from "./errors.js";
import { type RateLimit, type RequestBudget, systemTimer, type Timer, TokenBucket } from "./rate-limit.js";

export interface RetryPolicy {
  /** Total tries per request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ScimClientOptions {
  /** The target's base URL, e.g. https://scim.eu-west-1.amazonaws.com/<tenant>/scim/v2 */
  baseUrl: string;
  token: string;
  rateLimit?: RateLimit;
  /**
   * A bucket shared with the other clients of the same target, so concurrent syncs of one app (the worker,
   * a scheduled run, "sync now") stay within its rate together; `rateLimit` is then ignored.
   */
  bucket?: RequestBudget;
  /**
   * Budgets per kind of request (AWS: reads, writes, membership operations), shared like `bucket`; they take
   * precedence over `bucket` and `rateLimit`.
   */
  budgets?: ScimBudgets;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  timer?: Timer;
  /** Uniform in [0, 1): the jitter source. */
  random?: () => number;
}

export type RequestOutcome = "ok" | "clientError" | "serverError" | "throttled" | "authError" | "networkError";

/** Plain counters the metrics layer reads; the client only ever increments them. */
export interface ScimClientStats {
  requests: Record<RequestOutcome, number>;
  throttles: number;
  retries: number;
  /** Requests that failed after their last allowed attempt. */
  exhausted: number;
  rateLimitWaitMs: number;
}

export interface ScimResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
// Targets without published limits: ten requests a second stays clear of most. (AWS's own: see budgets.ts.)
const DEFAULT_RATE: RateLimit = { ratePerSecond: 10, burst: 10 };
const MEDIA_TYPE = "application/scim+json";

export class ScimClient {
  readonly stats: ScimClientStats = {
    requests: { ok: 0, clientError: 0, serverError: 0, throttled: 0, authError: 0, networkError: 0 },
    throttles: 0,
    retries: 0,
    exhausted: 0,
    rateLimitWaitMs: 0,
  };
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly budgets: ScimBudgets;
  private readonly timer: Timer;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ScimClientOptions) {
    // AWS wants the base URL without a trailing slash; joining paths is simpler without one too.
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timer = options.timer ?? systemTimer;
    this.budgets =
      options.budgets ?? singleBudget(options.bucket ?? new TokenBucket(options.rateLimit ?? DEFAULT_RATE, this.timer));
    this.random = options.random ?? Math.random;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Sends one request, retrying throttling, 5xx, network errors and timeouts with exponential
   * backoff and full jitter. A 404 or 409 is an answer, not a failure: callers decide.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ScimResponse> {
    const url = this.url(path, options.query);
    const members = this.budgets.membership ? membershipCost(method, path, options.body) : 0;
    // Membership operations are drawn first, so the write is spent just before sending, as the target counts it.
    const budget = method === "GET" ? this.budgets.read : this.budgets.write;
    // A 429 says only that some throttle fired. One on a membership write pauses the membership budget alone,
    // so user creates keep going; if the write throttle fired, their own 429s will pause the writes.
    const throttled = members > 0 && this.budgets.membership ? this.budgets.membership : budget;
    for (let attempt = 1; ; attempt++) {
      const waitFrom = this.timer.nowMs();
      if (members > 0) await this.budgets.membership?.take(members);
      await budget.take();
      this.stats.rateLimitWaitMs += this.timer.nowMs() - waitFrom;
      const failure = await this.attempt(method, url, options.body, attempt, throttled);
      if (!(failure instanceof ScimError)) return failure;
      if (failure.errorClass !== "retryable") throw failure;
      if (attempt >= this.retry.maxAttempts) {
        this.stats.exhausted++;
        throw failure;
      }
      this.stats.retries++;
      const retryAfterMs = (failure.details.retryAfterMs as number | null | undefined) ?? null;
      await this.timer.sleep(Math.max(this.backoff(attempt), retryAfterMs ?? 0));
    }
  }

  private async attempt(
    method: string,
    url: string,
    body: unknown,
    attempt: number,
    budget: RequestBudget,
  ): Promise<ScimResponse | ScimError> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: MEDIA_TYPE,
          ...(body === undefined ? {} : { "content-type": MEDIA_TYPE }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      this.stats.requests.networkError++;
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const reason = timedOut ? "timed out" : `failed: ${error instanceof Error ? error.message : String(error)}`;
      const empty = { detail: null, status: null, scimType: null, requestId: null };
      return new ScimError("retryable", null, empty, `${method} ${url} ${reason}`, attempt);
    }
    const text = await response.text();
    if (response.ok) {
      this.stats.requests.ok++;
      return { status: response.status, body: parseSuccessBody(text) };
    }
    const errorClass = classifyStatus(response.status);
    if (response.status === 429) {
      this.stats.requests.throttled++;
      this.stats.throttles++;
    } else if (errorClass === "auth") this.stats.requests.authError++;
    else if (response.status >= 500) this.stats.requests.serverError++;
    else this.stats.requests.clientError++;
    const parsed = parseErrorBody(text);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.timer.nowMs());
    if (retryAfterMs !== null) budget.pauseFor(retryAfterMs);
    const message = `${method} ${url} answered ${response.status}${parsed.detail ? `: ${parsed.detail}` : ""}`;
    const error = new ScimError(errorClass, response.status, parsed, message, attempt);
    error.details.retryAfterMs = retryAfterMs;
    return error;
  }

  /** Full jitter: uniform in [0, min(cap, base·2^(n-1))], which spreads retries of many workers apart. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * ceiling);
  }

  private url(path: string, query: RequestOptions["query"]): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    // URLSearchParams encodes spaces as "+", which some SCIM servers do not decode in filters.
    return `${this.baseUrl}${path}${search ? `?${search.replace(/\+/g, "%20")}` : ""}`;
  }
}

function parseSuccessBody(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    const json: unknown = JSON.parse(text);
    return json && typeof json === "object" ? (json as Record<string, unknown>) : {};
  } catch {
    // A 2xx we cannot read means we do not know what the target holds: treat the object as unseen.
    return {};
  }
}
