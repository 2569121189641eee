import type { Store } from "../../store/contract.js";
import type { PolicyBackup, PolicyTarget } from "../../store/contract-policy.js";
import { validateAwsFederationSettings } from "../apps/aws-federation-settings.js";
import type { LegacyApiService } from "../apps/legacy-api.js";
import type { App } from "../apps/model.js";
import type { AppService } from "../apps/service.js";
import { type Actor, logEvent } from "../audit.js";
import { type AwsClientFactory, type AwsCredentials, defaultAwsClients } from "../aws/clients.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError, validationFailed } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { restorePolicy, writeFailed, writePolicy } from "./apply.js";
import type { Finding } from "./findings.js";
import { type Gathered, gather, type PolicyConnection } from "./gather.js";
import { leastPrivilegePolicy } from "./least-privilege.js";
import { planFix } from "./plan.js";
import type { ProofRow } from "./proof.js";
import type { ReadPolicy } from "./read.js";

const ADMIN_SECRET = "aws_policy_admin_keys";
const adminContext = (app: App) => `app:${app.id}:${ADMIN_SECRET}`;

export interface FixReport {
  app: string;
  principalArn: string;
  target: PolicyTarget;
  before: string | null;
  after: string;
  proof: ProofRow[];
  dryRun: boolean;
  changed: boolean;
  backupId: string | null;
}

export interface PolicyServiceOptions {
  clients?: AwsClientFactory;
  /** Waits before each verification attempt: IAM changes take a few seconds to reach every endpoint. */
  verifyDelaysMs?: number[];
}

/**
 * The legacy API-mode principal's policy: audit it, replace it with the least-privilege policy proven by
 * simulation, verify the integration still works through it (restoring the old one if not), roll back.
 */
export class PolicyService {
  private readonly clients: AwsClientFactory;
  private readonly verifyDelaysMs: number[];

  constructor(
    private readonly store: Store,
    private readonly apps: AppService,
    private readonly legacyApi: LegacyApiService,
    private readonly secrets: SecretBox,
    private readonly clock: Clock = systemClock,
    opts: PolicyServiceOptions = {},
  ) {
    this.clients = opts.clients ?? defaultAwsClients;
    this.verifyDelaysMs = opts.verifyDelaysMs ?? [0, 5_000, 15_000];
  }

  /** IAM administrator keys for reading and writing the principal's policies (sealed; never returned). */
  async setAdminCredentials(actor: Actor, idOrSlug: string, keys: AwsCredentials): Promise<void> {
    if (!/^[A-Z0-9]{16,128}$/.test(keys.accessKeyId) || !/^[A-Za-z0-9/+=]{16,128}$/.test(keys.secretAccessKey)) {
      throw validationFailed("the access key is invalid", [
        { path: "/accessKeyId", message: "16-128 of A-Z 0-9; the secret 16-128 of A-Z a-z 0-9 / + =" },
      ]);
    }
    const app = await this.apiApp(idOrSlug);
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      await tx.appSecrets.put(app.id, ADMIN_SECRET, this.secrets.seal(JSON.stringify(keys), adminContext(app)), at);
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "application.aws.policy_admin.update",
          { type: "app", id: app.id, display: app.slug },
          {
            accessKeyId: keys.accessKeyId,
            secretAccessKey: "changed",
          },
        ),
      );
    });
  }

  async audit(
    idOrSlug: string,
    opts: { principalArn?: string; file?: { name: string; text: string }; admin?: AwsCredentials } = {},
  ) {
    const app = await this.apiApp(idOrSlug);
    const gathered = await gather(await this.connection(app, opts.admin), opts, this.clock.now());
    return {
      app: app.slug,
      principalArn: gathered.ctx.principalArn,
      findings: gathered.findings,
      proposed: leastPrivilegePolicy(gathered.ctx),
    };
  }

  /** Narrows the principal's policy. Nothing is written unless the audit read everything and the proof holds. */
  async fix(
    actor: Actor,
    idOrSlug: string,
    opts: { dryRun?: boolean; admin?: AwsCredentials } = {},
  ): Promise<FixReport> {
    const app = await this.apiApp(idOrSlug);
    const conn = await this.connection(app, opts.admin);
    const { gathered, target, current, after, proof, changed } = await planFix(conn, app.slug, this.clock.now());
    const report: FixReport = {
      app: app.slug,
      principalArn: gathered.ctx.principalArn,
      target,
      before: current?.text ?? null,
      after,
      proof,
      dryRun: opts.dryRun === true,
      changed,
      backupId: null,
    };
    if (report.dryRun || !report.changed) return report;
    return { ...report, backupId: await this.apply(actor, app, conn, gathered, target, current, after) };
  }

  /** Restores the policy saved by the last fix still in effect. */
  async rollback(
    actor: Actor,
    idOrSlug: string,
    opts: { admin?: AwsCredentials } = {},
  ): Promise<{ app: string; backup: PolicyBackup }> {
    const app = await this.apiApp(idOrSlug);
    const backup = await this.store.policyBackups.latest(app.id, ["applied", "applying"]);
    if (!backup) throw new DomainError("conflict", `${app.slug} has no applied policy fix to roll back`);
    const conn = await this.connection(app, opts.admin);
    const { iam } = await this.clients(conn.target, conn.admin ?? conn.keys);
    try {
      await restorePolicy(iam, backup);
    } catch (err) {
      throw writeFailed(`restoring the saved policy of ${backup.principalArn}`, err);
    }
    await this.finish(actor, app, backup, "rolled_back", "rolled back by an administrator");
    return { app: app.slug, backup: { ...backup, status: "rolled_back" } };
  }

  private async apply(
    actor: Actor,
    app: App,
    conn: PolicyConnection,
    gathered: Gathered,
    target: PolicyTarget,
    current: ReadPolicy | undefined,
    after: string,
  ): Promise<string> {
    const now = this.clock.now().toISOString();
    const backup: PolicyBackup = {
      id: newId("pbk"),
      appId: app.id,
      principalArn: gathered.ctx.principalArn,
      target,
      oldDocument: current?.kind === "inline" ? current.text : null,
      newDocument: after,
      oldVersionId: current?.defaultVersionId ?? null,
      newVersionId: null,
      deletedVersion: null,
      status: "applying",
      reason: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.transaction(async (tx) => {
      await tx.policyBackups.insert(backup);
      await tx.log.append(
        this.event(actor, app, "application.aws.policy.fix", {
          backupId: backup.id,
          target,
          before: current?.text ?? null,
          after,
          status: "applying",
        }),
      );
    });
    const { iam } = await this.clients(conn.target, conn.admin ?? conn.keys);
    try {
      const written = await writePolicy(iam, target, after, async (deleted) => {
        backup.deletedVersion = deleted;
        await this.store.policyBackups.update(backup.id, { deletedVersion: deleted }, this.clock.now().toISOString());
      });
      backup.newVersionId = written.newVersionId;
      await this.store.policyBackups.update(
        backup.id,
        { newVersionId: written.newVersionId },
        this.clock.now().toISOString(),
      );
    } catch (err) {
      const failure = writeFailed(
        `writing the narrowed policy to ${target.kind === "managed" ? target.policyArn : `${target.principalName}/${target.policyName}`}`,
        err,
      );
      await this.finish(actor, app, backup, "restored", `${failure.message}; nothing was changed`, "FAILURE");
      throw failure;
    }
    const problem = await this.verify(actor, app);
    if (!problem) {
      await this.finish(actor, app, backup, "applied", null);
      return backup.id;
    }
    try {
      await restorePolicy(iam, backup);
    } catch (err) {
      const failure = writeFailed("restoring the old policy", err);
      await this.finish(actor, app, backup, "applying", `${problem}; ${failure.message}`, "FAILURE");
      throw new DomainError(
        "remote_failed",
        `${problem}, and restoring the old policy failed (${failure.message}); run 'rolebridge migrate policy rollback --app ${app.slug} --yes'`,
      );
    }
    await this.finish(actor, app, backup, "restored", problem, "FAILURE");
    throw new DomainError("remote_failed", `${problem}; the old policy was restored`, { backupId: backup.id });
  }

  /** Test API Credentials and a full refresh through the new policy; the reason it failed, or null. */
  private async verify(actor: Actor, app: App): Promise<string | null> {
    let problem: string | null = null;
    for (const delay of this.verifyDelaysMs) {
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const test = await this.legacyApi.testCredentials(app.id);
      if (!test.ok) {
        problem = `Test API Credentials failed through the new policy: ${test.code}: ${test.message}`;
        continue;
      }
      try {
        const refreshed = await this.legacyApi.refresh(actor, app.id);
        const bad = refreshed.accounts.filter((a) => a.status !== "ok");
        if (!bad.length) return null;
        problem = `the refresh through the new policy failed for ${bad.map((a) => `${a.accountId} (${a.error})`).join(", ")}`;
      } catch (err) {
        problem = `the refresh through the new policy failed: ${(err as Error).message}`;
      }
    }
    return problem;
  }

  private async finish(
    actor: Actor,
    app: App,
    backup: PolicyBackup,
    status: PolicyBackup["status"],
    reason: string | null,
    outcome: "SUCCESS" | "FAILURE" = "SUCCESS",
  ) {
    await this.store.transaction(async (tx) => {
      await tx.policyBackups.update(backup.id, { status, reason }, this.clock.now().toISOString());
      await tx.log.append(
        this.event(
          actor,
          app,
          status === "rolled_back" ? "application.aws.policy.rollback" : "application.aws.policy.fix",
          { backupId: backup.id, target: backup.target, status, reason },
          outcome,
        ),
      );
    });
  }

  private event(
    actor: Actor,
    app: App,
    action: string,
    summary: Record<string, unknown>,
    outcome: "SUCCESS" | "FAILURE" = "SUCCESS",
  ) {
    return logEvent(this.clock, actor, action, { type: "app", id: app.id, display: app.slug }, summary, outcome);
  }

  private async apiApp(idOrSlug: string): Promise<App> {
    const app = await this.apps.get(idOrSlug);
    if (app.type !== "aws-account-federation") throw new DomainError("conflict", `app ${app.slug} has no AWS API mode`);
    return app;
  }

  /** `admin` given for one call (e.g. from the environment) wins over the stored administrator keys. */
  private async connection(app: App, admin?: AwsCredentials): Promise<PolicyConnection> {
    const { target, credentials } = await this.legacyApi.connection(app);
    const api = validateAwsFederationSettings(app.settings).api;
    const sealed = await this.store.appSecrets.get(app.id, ADMIN_SECRET);
    const stored = sealed ? (JSON.parse(this.secrets.open(sealed, adminContext(app))) as AwsCredentials) : null;
    return {
      factory: this.clients,
      target,
      keys: credentials,
      admin: admin ?? stored,
      connectedAccountIds: api.connectedAccountIds,
      crossAccountRoleName: api.crossAccountRoleName,
    };
  }
}

export type { Finding };
