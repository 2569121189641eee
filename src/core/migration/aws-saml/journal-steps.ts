import { validateAwsFederationSettings } from "../../apps/aws-federation-settings.js";
import type { LegacyApiService } from "../../apps/legacy-api.js";
import type { App } from "../../apps/model.js";
import type { SigningKeyService } from "../../apps/signing-keys.js";
import { type AwsClientFactory, type AwsCredentials, defaultAwsClients } from "../../aws/clients.js";
import { DomainError } from "../../errors.js";
import type { MigrationStep, StepKind } from "../journal.js";
import { remoteStep } from "../journal.js";
import type { Plan } from "../plan-model.js";
import { AccountSessions, remoteFailure } from "./account-session.js";
import { readAccountState } from "./account-state.js";
import { type AppLike, samlTargetFor } from "./app-target.js";
import { type AccountSamlPlan, planAccount, type SamlTarget } from "./plan.js";
import { runStep, type SamlStep, type StepResult, stepKey, stepsForPlan, undoStep } from "./steps.js";

/** How `migrate apply` and `migrate rollback` reach AWS. */
export interface AwsStepOptions {
  /** Leave AWS alone: SAML was set up another way (the CloudFormation templates). */
  skip?: boolean | undefined;
  /** Role assumed in every account; default: the legacy app's cross-account role. */
  adminRole?: string | undefined;
  /** Keys other than the legacy app's (the organization's administrators', from the environment). */
  credentials?: AwsCredentials | undefined;
}

export interface AwsStepServices {
  legacyApi: Pick<LegacyApiService, "awsAccess">;
  signingKeys: SigningKeyService;
  publicUrl: string;
  apps: { get(idOrSlug: string): Promise<App> };
  /** Tests hand the sandbox's client factory in; the legacy app's own keys come with their factory. */
  awsClients?: AwsClientFactory | undefined;
}

const PLAN_KIND = "aws-saml-plan";
const CUTOVER_KIND = "aws-saml-cutover";
const STEP_KIND = "aws-saml";
const itemOf = (accountId: string) => `aws:${accountId}`;

/**
 * One step per account the plan maps: read the account and plan its SAML setup. Its journaled result is the list of
 * provider and trust steps, spliced in after it and replayed from the journal on resume — re-planning after a
 * partial apply would see our own provider and forget that we created it.
 */
export function awsPlanSteps(plan: Plan): MigrationStep[] {
  return plan.aws.map((a) => ({
    key: `aws-plan:${a.accountId}`,
    kind: PLAN_KIND,
    label: `read account ${a.accountId} and plan its SAML provider and trust`,
    item: itemOf(a.accountId),
    params: { accountId: a.accountId, roleArns: a.roles.map((r) => r.roleArn) },
  }));
}

function labelOf(step: SamlStep): string {
  return step.kind === "provider"
    ? `${step.metadataBefore === null ? "create" : "update"} SAML provider ${step.providerName} in ${step.accountId}`
    : `trust ${step.providerName} in ${step.roleArn}`;
}

/**
 * Cut-over's steps: each kept legacy provider (apply left it alone) is switched to the target app's metadata.
 * Like the plan step, each reads its account once and journals the provider step it expands into, so a rollback
 * after cut-over restores exactly the metadata the legacy app signed in with.
 */
export function cutoverSteps(accountIds: readonly string[]): MigrationStep[] {
  return accountIds.map((accountId) => ({
    key: `aws-cutover:${accountId}`,
    kind: CUTOVER_KIND,
    label: `switch the SAML provider in ${accountId} to the target app's metadata`,
    item: itemOf(accountId),
    params: { accountId },
  }));
}

/** Accounts whose provider apply left alone because the legacy app still signs in through it. */
export function deferredProviders(
  journal: ReadonlyArray<{ kind: string; status: string; result: Record<string, unknown> }>,
) {
  return journal
    .filter((s) => s.kind === PLAN_KIND && s.status === "done" && s.result.providerDeferred === true)
    .map((s) => String(s.result.accountId));
}

/** The AWS side of one migration: sessions into every account, and the target app's provider there. */
export class AwsSide {
  private sessions: Promise<AccountSessions> | undefined;
  private metadata: Promise<string> | undefined;

  constructor(
    private readonly deps: AwsStepServices,
    private readonly plan: Plan,
    private readonly options: AwsStepOptions,
  ) {}

  /** Opened on first use: a rollback with nothing in AWS to undo needs no keys. */
  private open(accountId: string) {
    this.sessions ??= this.connect().catch((err) => {
      this.sessions = undefined;
      throw err;
    });
    return this.sessions.then((s) => s.open(accountId));
  }

  private async connect(): Promise<AccountSessions> {
    const legacy = await this.deps.apps.get(this.plan.from.id);
    const { partition, api } = validateAwsFederationSettings(legacy.settings);
    const options = {
      roleName: this.options.adminRole ?? api.crossAccountRoleName,
      sessionName: "rolebridge-migration",
    };
    if (this.options.credentials) {
      const target = { partition, region: api.region, endpointUrl: api.endpointUrl ?? null };
      return new AccountSessions(this.deps.awsClients ?? defaultAwsClients, target, this.options.credentials, options);
    }
    const access = await this.deps.legacyApi.awsAccess(legacy.id);
    return new AccountSessions(this.deps.awsClients ?? access.clients, access.target, access.credentials, options);
  }

  /** The target app once the directory steps made it; before that (a dry run), the app the plan would make. */
  async target(accountId: string): Promise<SamlTarget> {
    const slug = this.plan.targetApp.slug;
    const app = await this.deps.apps.get(slug).catch((err) => {
      if (err instanceof DomainError && err.code === "not_found") return null;
      throw err;
    });
    if (!app) {
      const planned: AppLike = { type: "aws-account-federation", slug, settings: this.plan.targetApp.settings };
      // The new app's signing key does not exist yet: its metadata is only known once apply creates the app.
      return samlTargetFor(
        planned,
        "<the new app's IdP metadata, known once apply creates it>".padEnd(1000),
        accountId,
      );
    }
    this.metadata ??= this.deps.signingKeys.metadata(app, this.deps.publicUrl);
    return samlTargetFor(app, await this.metadata, accountId);
  }

  /** Reads one account and plans its changes (the dry run and the plan step). Throws `remote_failed`. */
  async planAccount(accountId: string, roleArns: readonly string[]): Promise<AccountSamlPlan> {
    try {
      const target = await this.target(accountId);
      const state = await readAccountState(await this.open(accountId), {
        providerName: target.providerName,
        roleArns,
      });
      return planAccount(state, target);
    } catch (err) {
      throw remoteFailure(err, `account ${accountId}`, { accountId });
    }
  }

  /** The journal kinds: the per-account plan step (expanded into its steps) and the provider/trust step. */
  kinds(): Record<string, StepKind> {
    const planKind: StepKind = {
      ...remoteStep({
        do: async (_ctx, params) => {
          const accountId = String(params.accountId);
          const splan = await this.planAccount(accountId, params.roleArns as string[]);
          let steps = stepsForPlan(splan, await this.target(accountId));
          // The legacy app's own provider (its name kept): switching its metadata now would sign the legacy app
          // out of this account before cut-over. It stays as it is; switching it is the cut-over's, by hand.
          const providerDeferred = splan.provider.action === "update" && splan.provider.arn in this.plan.providerMap;
          if (providerDeferred) steps = steps.filter((st) => st.kind !== "provider");
          const missingRoles = splan.roles.filter((r) => r.action === "missing").map((r) => r.roleArn);
          return { accountId, provider: splan.provider.action, providerDeferred, missingRoles, steps };
        },
        undo: async () => {},
      }),
      expand: (_step, saved) =>
        (saved.steps as SamlStep[]).map((s) => ({
          key: stepKey(s),
          kind: STEP_KIND,
          label: labelOf(s),
          item: itemOf(s.accountId),
          params: { ...s },
        })),
    };
    const samlKind = remoteStep({
      do: async (_ctx, params) => {
        const step = params as unknown as SamlStep;
        try {
          return { ...(await runStep(await this.open(step.accountId), step)) };
        } catch (err) {
          // A role deleted since the plan: nothing left to trust the provider; recorded so the account can finish.
          if (err instanceof DomainError && err.details.reason === "role_missing" && step.kind === "trust")
            return {
              kind: "trust",
              outcome: "unchanged",
              roleArn: step.roleArn,
              before: null,
              after: null,
              roleMissing: true,
            };
          throw err;
        }
      },
      undo: async (_ctx, params, saved) => {
        const step = params as unknown as SamlStep;
        await undoStep(await this.open(step.accountId), step, saved as unknown as StepResult);
      },
    });
    const cutoverKind: StepKind = {
      ...remoteStep({
        do: async (_ctx, params) => {
          const accountId = String(params.accountId);
          const splan = await this.planAccount(accountId, []);
          const steps = stepsForPlan(splan, await this.target(accountId)).filter((st) => st.kind === "provider");
          return { accountId, provider: splan.provider.action, steps };
        },
        undo: async () => {},
      }),
      expand: planKind.expand,
    };
    return { [PLAN_KIND]: planKind, [CUTOVER_KIND]: cutoverKind, [STEP_KIND]: samlKind };
  }
}
