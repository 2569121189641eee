import type { IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type AwsClientFactory, type AwsCredentials, type AwsTarget, awsErrorSummary } from "../../aws/clients.js";
import { DomainError } from "../../errors.js";
import type { AwsPartition } from "../../rolemap/arn.js";

/** Organizations creates this role in every member account it creates; the cross-account role of choice. */
export const DEFAULT_ADMIN_ROLE = "OrganizationAccountAccessRole";
const SESSION_SECONDS = 900;
/** A session is renewed before a step could outlive it. */
const RENEW_BEFORE_MS = 120_000;

/** IAM in one account, with the credentials it was opened with. */
export interface AccountSession {
  accountId: string;
  partition: AwsPartition;
  iam: IAMClient;
}

export interface SessionOptions {
  /** Role assumed in every account but the credentials' own; `OrganizationAccountAccessRole` by default. */
  roleName?: string;
  sessionName?: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "TimeoutError",
]);

function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; cause?: { code?: string }; $metadata?: unknown };
  return [e.code, e.name, e.cause?.code].some((c) => c !== undefined && NETWORK_CODES.has(c));
}

/**
 * What AWS (or the way to it) said, as our error: always `remote_failed`, never our own auth codes, with the account
 * and a `reason` a caller can branch on (`unreachable`, `access_denied`, `not_found`, `aws_error`; the steps add `role_missing`).
 */
export function remoteFailure(err: unknown, what: string, details: Record<string, unknown>): DomainError {
  if (err instanceof DomainError) return err;
  if (isNetworkError(err)) {
    const { message } = awsErrorSummary(err);
    return new DomainError("remote_failed", `${what}: AWS could not be reached (${message})`, {
      ...details,
      reason: "unreachable",
    });
  }
  const { code, message } = awsErrorSummary(err);
  const reason = /AccessDenied/i.test(code)
    ? "access_denied"
    : code === "NoSuchEntity" || code === "NoSuchEntityException"
      ? "not_found"
      : "aws_error";
  return new DomainError("remote_failed", `${what}: ${code}: ${message}`, { ...details, reason, awsCode: code });
}

interface Cached {
  session: AccountSession;
  expiresAt: number;
}

/**
 * Opens IAM in any account of the organization: directly in the credentials' own account, through AssumeRole of
 * the administrative role elsewhere. Sessions are kept until shortly before they expire, so a long apply re-assumes.
 */
export class AccountSessions {
  private selfAccountId: Promise<string> | undefined;
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly factory: AwsClientFactory,
    private readonly target: AwsTarget,
    private readonly credentials: AwsCredentials,
    private readonly options: SessionOptions = {},
    private readonly clock: () => number = Date.now,
  ) {}

  get partition(): AwsPartition {
    return this.target.partition;
  }

  roleArn(accountId: string): string {
    return `arn:${this.target.partition}:iam::${accountId}:role/${this.options.roleName ?? DEFAULT_ADMIN_ROLE}`;
  }

  private async self(): Promise<string> {
    this.selfAccountId ??= (async () => {
      const { sts } = await this.factory(this.target, this.credentials);
      const id = await sts.send(new GetCallerIdentityCommand({}));
      if (!id.Account) throw new Error("GetCallerIdentity answered without Account");
      return id.Account;
    })().catch((err) => {
      this.selfAccountId = undefined;
      throw remoteFailure(err, "the AWS credentials could not be checked (GetCallerIdentity)", {});
    });
    return this.selfAccountId;
  }

  /** Throws `DomainError("remote_failed")` with reason `access_denied` or `unreachable` when the account cannot be opened. */
  async open(accountId: string): Promise<AccountSession> {
    const cached = this.cache.get(accountId);
    if (cached && cached.expiresAt - RENEW_BEFORE_MS > this.clock()) return cached.session;
    const self = await this.self();
    let credentials = this.credentials;
    let expiresAt = Number.POSITIVE_INFINITY;
    if (accountId !== self) {
      const roleArn = this.roleArn(accountId);
      try {
        const { sts } = await this.factory(this.target, this.credentials);
        const assumed = await sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: this.options.sessionName ?? "rolebridge-saml-setup",
            DurationSeconds: SESSION_SECONDS,
          }),
        );
        const c = assumed.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("AssumeRole answered without credentials");
        credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
        expiresAt = c.Expiration ? c.Expiration.getTime() : this.clock() + SESSION_SECONDS * 1000;
      } catch (err) {
        throw remoteFailure(err, `account ${accountId}: AssumeRole into ${roleArn} failed`, { accountId, roleArn });
      }
    }
    const { iam } = await this.factory(this.target, credentials);
    const session = { accountId, partition: this.target.partition, iam };
    this.cache.set(accountId, { session, expiresAt });
    return session;
  }
}
