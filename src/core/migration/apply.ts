import type { MigrationRun, MigrationRunState } from "../../store/contract-migrations.js";
import { type Actor, logEvent } from "../audit.js";
import type { AwsClientFactory } from "../aws/clients.js";
import { DomainError } from "../errors.js";
import { newId } from "../ids.js";
import {
  AwsSide,
  type AwsStepOptions,
  awsPlanSteps,
  cutoverSteps,
  deferredProviders,
} from "./aws-saml/journal-steps.js";
import type { AccountSamlPlan } from "./aws-saml/plan.js";
import { type DirectoryStepServices, directoryStepKinds, directorySteps } from "./directory-steps.js";
import { assertLegacyApp } from "./inventory.js";
import {
  type ItemFailure,
  type MigrationStep,
  type Progress,
  runSteps,
  type StepKind,
  silentProgress,
  undoSteps,
} from "./journal.js";
import type { Plan, PlanOptions } from "./plan-model.js";
import { proveAgainstPlan } from "./proof.js";
import { currentRun, type MigrationReadDeps, MigrationReader } from "./service.js";

export interface MigrationWriteDeps extends MigrationReadDeps, DirectoryStepServices {
  /** The AWS SDK's clients by default; tests hand in their own. */
  awsClients?: AwsClientFactory | undefined;
}

export interface ApplyOutcome {
  runId: string;
  resumed: boolean;
  state: MigrationRunState;
  steps: number;
  done: number;
  skipped: number;
  /** Steps not done because their item failed (an AWS account): a later apply retries them. */
  pending: number;
  /** Per item: what failed and why. The rest of the apply went on. */
  failed: ItemFailure[];
  /** `skipped`: the AWS side was left alone (--skip-aws, --offline). */
  aws: "applied" | "skipped";
  /** Accounts whose provider keeps the legacy app's metadata (its name kept): switch it at cut-over. */
  providersLeft: string[];
}

/** What a dry run shows: the directory steps, and per account the AWS diff or why it could not be read. */
export interface DryRun {
  steps: MigrationStep[];
  aws: Array<{ accountId: string; plan: AccountSamlPlan | null; error: string | null }>;
}

/**
 * Apply, rollback and cut-over. Apply runs a plan with no blocking finding and a clean proof as journaled
 * steps; interrupted, the next apply finishes the same plan (kept in the run); finished, it changes nothing.
 */
export class MigrationWriter {
  private readonly reader: MigrationReader;

  constructor(private readonly deps: MigrationWriteDeps) {
    this.reader = new MigrationReader(deps);
  }

  /** The AWS kinds are always known (a rollback undoes what an earlier apply did); their steps only when wanted. */
  private stepsOf(plan: Plan, aws: AwsStepOptions): { steps: MigrationStep[]; kinds: Record<string, StepKind> } {
    return {
      steps: [...directorySteps(plan), ...(aws.skip ? [] : awsPlanSteps(plan))],
      kinds: { ...directoryStepKinds(this.deps), ...new AwsSide(this.deps, plan, aws).kinds() },
    };
  }

  /** What apply would do, changing nothing: the directory steps, and each account's AWS diff. */
  async dryRun(from: string, options: PlanOptions, opts: { offline?: boolean | undefined; aws?: AwsStepOptions } = {}) {
    const { plan: fresh, run } = await this.reader.plan(from, options, opts);
    const plan = run ? (JSON.parse(run.plan) as Plan) : fresh;
    const result: DryRun = { steps: directorySteps(plan), aws: [] };
    if (opts.offline || opts.aws?.skip) return { plan, ...result };
    const side = new AwsSide(this.deps, plan, opts.aws ?? {});
    for (const a of plan.aws) {
      try {
        const roleArns = a.roles.map((r) => r.roleArn);
        result.aws.push({ accountId: a.accountId, plan: await side.planAccount(a.accountId, roleArns), error: null });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        result.aws.push({ accountId: a.accountId, plan: null, error: err.message });
      }
    }
    return { plan, ...result };
  }

  private async setState(actor: Actor, run: MigrationRun, state: MigrationRunState, action: string, summary = {}) {
    await this.deps.store.transaction(async (tx) => {
      await tx.migrationJournal.setRunState(run.id, state, this.deps.clock.now().toISOString());
      await tx.log.append(
        logEvent(
          this.deps.clock,
          actor,
          action,
          { type: "migration", id: run.id, display: `${run.fromSlug} -> ${run.toSlug}` },
          summary,
        ),
      );
    });
  }

  async apply(
    actor: Actor,
    from: string,
    options: PlanOptions,
    opts: { offline?: boolean | undefined; progress?: Progress; aws?: AwsStepOptions } = {},
  ): Promise<ApplyOutcome> {
    const progress = opts.progress ?? silentProgress;
    // Offline means no AWS at all: the AWS side waits for an apply that may reach it.
    const aws: AwsStepOptions = { ...opts.aws, skip: opts.aws?.skip === true || opts.offline === true };
    const { inventory, plan: fresh, run: existing } = await this.reader.plan(from, options, opts);
    let run = existing;
    if (run?.state === "cut_over") {
      return {
        runId: run.id,
        resumed: false,
        state: run.state,
        steps: 0,
        done: 0,
        skipped: 0,
        pending: 0,
        failed: [],
        aws: "skipped",
        providersLeft: [],
      };
    }
    if (run) assertSameOptions(JSON.parse(run.plan) as Plan, options);
    const resumed = run !== null;
    if (!run) {
      if (fresh.counts.blocking > 0) {
        throw new DomainError(
          "conflict",
          `the plan has ${fresh.counts.blocking} blocking finding(s); see migrate plan`,
          {
            findings: fresh.findings.filter((f) => f.severity === "blocking"),
          },
        );
      }
      if (fresh.rules.length && !this.deps.rules) {
        throw new DomainError(
          "conflict",
          "the plan keeps group assignments as membership rules, which this build lacks; plan with --static",
          {
            reason: "no_rules",
          },
        );
      }
      const proof = await proveAgainstPlan(inventory, fresh);
      if (proof.differences.length) {
        throw new DomainError(
          "conflict",
          `the plan does not keep everyone's roles (${proof.differences.length} difference(s)); see migrate verify`,
          {
            differences: proof.differences,
          },
        );
      }
      const at = this.deps.clock.now().toISOString();
      run = await this.deps.store.transaction(async (tx) => {
        const created = await tx.migrationJournal.createRun({
          id: newId("mig"),
          fromAppId: inventory.app.id,
          fromSlug: inventory.app.slug,
          toSlug: options.to,
          state: "applying",
          plan: JSON.stringify(fresh),
          created: at,
        });
        await tx.log.append(
          logEvent(
            this.deps.clock,
            actor,
            "migration.apply.start",
            { type: "migration", id: created.id, display: `${created.fromSlug} -> ${created.toSlug}` },
            { counts: fresh.counts },
          ),
        );
        return created;
      });
    }
    const plan = JSON.parse(run.plan) as Plan;
    const { steps, kinds } = this.stepsOf(plan, aws);
    const ctx = { store: this.deps.store, clock: this.deps.clock, actor };
    const ran = await runSteps(ctx, run, steps, kinds, progress);
    // The directory side is whole (item failures are AWS accounts only): verify and cut-over may proceed, and
    // the next apply retries what failed.
    const summary = {
      steps: ran.steps,
      done: ran.done,
      failed: ran.failed.map((f) => ({ key: f.key, message: f.message })),
    };
    if (run.state !== "applied") await this.setState(actor, run, "applied", "migration.apply.finish", summary);
    else if (ran.done || ran.failed.length)
      await this.setState(actor, run, "applied", "migration.apply.resume", summary);
    return {
      runId: run.id,
      resumed,
      state: "applied",
      steps: ran.steps,
      done: ran.done,
      skipped: ran.skipped,
      pending: ran.pending,
      failed: ran.failed,
      aws: aws.skip ? "skipped" : "applied",
      providersLeft: deferredProviders(await this.deps.store.migrationJournal.steps(run.id)),
    };
  }

  /** Before cut-over: removes exactly what apply created. After: switches the legacy app back on. */
  async rollback(actor: Actor, from: string, to: string, opts: { progress?: Progress; aws?: AwsStepOptions } = {}) {
    const { run, legacyAppId } = await this.runOf(from, to);
    const plan = JSON.parse(run.plan) as Plan;
    const ctx = { store: this.deps.store, clock: this.deps.clock, actor };
    const switched = cutoverSteps(plan.aws.map((a) => a.accountId));
    if (run.state === "cut_over") {
      // The kept providers get the legacy app's metadata back before the legacy app signs anyone in again.
      const { kinds } = this.stepsOf(plan, { ...opts.aws, skip: false });
      const { undone } = await undoSteps(ctx, run, switched, kinds, opts.progress ?? silentProgress, {
        onlyGiven: true,
      });
      await this.deps.apps.setStatus(actor, legacyAppId, "ACTIVE");
      await this.setState(actor, run, "applied", "migration.cutover.undo", { undone });
      return { runId: run.id, state: "applied" as const, undone, legacyReactivated: true };
    }
    // Every AWS step an earlier apply (or cut-over) journaled is undone, whatever options it had.
    const { steps: applied, kinds } = this.stepsOf(plan, { ...opts.aws, skip: false });
    const steps = [...applied, ...switched];
    const { undone } = await undoSteps(ctx, run, steps, kinds, opts.progress ?? silentProgress);
    await this.setState(actor, run, "rolled_back", "migration.rollback", { undone });
    return { runId: run.id, state: "rolled_back" as const, undone, legacyReactivated: false };
  }

  /**
   * Deactivates the legacy app, only when the proof against live state finds no difference. A legacy provider the
   * target kept (same name, so the same pairs) is switched to the target app's metadata first, journaled; if any
   * account cannot be switched, nothing is deactivated and a later cut-over goes on from there.
   */
  async cutover(
    actor: Actor,
    from: string,
    options: PlanOptions,
    opts: { progress?: Progress; aws?: AwsStepOptions } = {},
  ) {
    const { run, legacyAppId } = await this.runOf(from, options.to);
    if (run.state === "applying")
      throw new DomainError("illegal_transition", "apply has not finished; run migrate apply again to resume it");
    const { against, result } = await this.reader.verify(from, options, { offline: true });
    if (against !== "live" || result.differences.length) {
      throw new DomainError(
        "conflict",
        `verify found ${result.differences.length} difference(s) in live state; cut-over refused`,
        {
          differences: result.differences,
        },
      );
    }
    const kept = deferredProviders(await this.deps.store.migrationJournal.steps(run.id));
    if (kept.length && !opts.aws?.skip) {
      const plan = JSON.parse(run.plan) as Plan;
      const { kinds } = this.stepsOf(plan, opts.aws ?? {});
      const ctx = { store: this.deps.store, clock: this.deps.clock, actor };
      const ran = await runSteps(ctx, run, cutoverSteps(kept), kinds, opts.progress ?? silentProgress);
      if (ran.failed.length) {
        throw new DomainError(
          "remote_failed",
          `cut-over refused: the SAML provider could not be switched to ${options.to}'s metadata in ${ran.failed
            .map((f) => f.item.replace(/^aws:/, "account "))
            .join(
              ", ",
            )}; ${from} stays active (fix the cause, or pass --aws-from-env/--admin-role, and cut over again)`,
          { failed: ran.failed },
        );
      }
    }
    await this.deps.apps.setStatus(actor, legacyAppId, "INACTIVE");
    if (run.state !== "cut_over")
      await this.setState(actor, run, "cut_over", "migration.cutover", { people: result.people });
    return { runId: run.id, state: "cut_over" as const, proof: result };
  }

  private async runOf(from: string, to: string) {
    const legacy = await this.deps.apps.get(from);
    assertLegacyApp(legacy);
    const run = await currentRun(this.deps.store, legacy.id, to);
    if (!run) throw new DomainError("not_found", `no applied migration from ${legacy.slug} to ${to}`, { from, to });
    return { run, legacyAppId: legacy.id };
  }
}

/** A resumed or repeated apply finishes the plan it started; other options need a rollback first. */
function assertSameOptions(applied: Plan, options: PlanOptions): void {
  const keys = ["template", "source", "mode", "providerName"] as const;
  const changed: string[] = keys.filter((k) => (applied.options[k] ?? null) !== (options[k] ?? null));
  if (options.groupFilter !== undefined && options.groupFilter !== applied.options.groupFilter)
    changed.push("groupFilter");
  if (changed.length)
    throw new DomainError(
      "conflict",
      `this migration was applied with other options (${changed.join(", ")}); roll it back first to change them`,
      {
        changed,
      },
    );
}
