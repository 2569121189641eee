import type { MigrationRun, MigrationRunState } from "../../store/contract-migrations.js";
import { type Actor, logEvent } from "../audit.js";
import { DomainError } from "../errors.js";
import { newId } from "../ids.js";
import { type DirectoryStepServices, directoryStepKinds, directorySteps } from "./directory-steps.js";
import { assertLegacyApp } from "./inventory.js";
import { type MigrationStep, type Progress, runSteps, type StepKind, silentProgress, undoSteps } from "./journal.js";
import type { Plan, PlanOptions } from "./plan-model.js";
import { proveAgainstPlan } from "./proof.js";
import { currentRun, type MigrationReadDeps, MigrationReader } from "./service.js";

/** Steps beyond the directory (AWS: SAML providers, trust policies), wired in by whoever provides them. */
export interface ExtraSteps {
  steps(plan: Plan): MigrationStep[];
  kinds: Record<string, StepKind>;
}

export interface MigrationWriteDeps extends MigrationReadDeps, DirectoryStepServices {
  extraSteps?: ExtraSteps | undefined;
}

export interface ApplyOutcome {
  runId: string;
  resumed: boolean;
  state: MigrationRunState;
  steps: number;
  done: number;
  skipped: number;
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

  private stepsOf(plan: Plan): { steps: MigrationStep[]; kinds: Record<string, StepKind> } {
    const extra = this.deps.extraSteps;
    return {
      steps: [...directorySteps(plan), ...(extra?.steps(plan) ?? [])],
      kinds: { ...directoryStepKinds(this.deps), ...(extra?.kinds ?? {}) },
    };
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
    opts: { offline?: boolean | undefined; progress?: Progress } = {},
  ): Promise<ApplyOutcome> {
    const progress = opts.progress ?? silentProgress;
    const { inventory, plan: fresh, run: existing } = await this.reader.plan(from, options, opts);
    let run = existing;
    if (run?.state === "cut_over") {
      return { runId: run.id, resumed: false, state: run.state, steps: 0, done: 0, skipped: 0 };
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
    const { steps, kinds } = this.stepsOf(plan);
    const ctx = { store: this.deps.store, clock: this.deps.clock, actor };
    const { done, skipped } = await runSteps(ctx, run, steps, kinds, progress);
    if (run.state !== "applied")
      await this.setState(actor, run, "applied", "migration.apply.finish", { steps: steps.length, done });
    return { runId: run.id, resumed, state: "applied", steps: steps.length, done, skipped };
  }

  /** Before cut-over: removes exactly what apply created. After: switches the legacy app back on. */
  async rollback(actor: Actor, from: string, to: string, opts: { progress?: Progress } = {}) {
    const { run, legacyAppId } = await this.runOf(from, to);
    if (run.state === "cut_over") {
      await this.deps.apps.setStatus(actor, legacyAppId, "ACTIVE");
      await this.setState(actor, run, "applied", "migration.cutover.undo");
      return { runId: run.id, state: "applied" as const, undone: 0, legacyReactivated: true };
    }
    const plan = JSON.parse(run.plan) as Plan;
    const { steps, kinds } = this.stepsOf(plan);
    const ctx = { store: this.deps.store, clock: this.deps.clock, actor };
    const { undone } = await undoSteps(ctx, run, steps, kinds, opts.progress ?? silentProgress);
    await this.setState(actor, run, "rolled_back", "migration.rollback", { undone });
    return { runId: run.id, state: "rolled_back" as const, undone, legacyReactivated: false };
  }

  /** Deactivates the legacy app, only when the proof against live state finds no difference. */
  async cutover(actor: Actor, from: string, options: PlanOptions) {
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
