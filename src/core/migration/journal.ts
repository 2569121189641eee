import type { Repos, Store } from "../../store/contract.js";
import type { JournalStep, MigrationRun } from "../../store/contract-migrations.js";
import type { Actor } from "../audit.js";
import { DomainError } from "../errors.js";
import type { Clock } from "../ids.js";

/** One unit of an apply: done at most once, journaled with what undoing it needs. */
export interface MigrationStep {
  /** Stable across plans of the same estate: `group:<name>`, `members:<name>`, `app:<slug>`... */
  key: string;
  kind: string;
  /** One line for progress output and the report. */
  label: string;
  params: Record<string, unknown>;
}

export interface StepContext {
  store: Store;
  clock: Clock;
  actor: Actor;
  /** Results of the steps done so far in this run, by key (a later step finds the group id an earlier one made). */
  results: ReadonlyMap<string, Record<string, unknown>>;
}

/** Writes the journal row: inside `tx` when given (same transaction as the change), else on its own. */
export type Commit = (result: Record<string, unknown>, tx?: Repos) => Promise<void>;

/**
 * A kind of step. `do` makes the change and calls `commit` exactly once — in the change's own transaction
 * when the change is in the store, so a crash leaves either both or neither. `undo` reverses it from the
 * saved result. Steps against a remote system use `remoteStep`.
 */
export interface StepKind {
  do(ctx: StepContext, step: MigrationStep, commit: Commit): Promise<void>;
  undo(ctx: StepContext, step: MigrationStep, saved: Record<string, unknown>, commit: Commit): Promise<void>;
}

/**
 * A step against a remote system (AWS: a SAML provider, a trust policy): `do` returns the record to save and
 * must be idempotent, since a crash after the remote change and before the journal row makes a resumed
 * apply run it again; `undo` gets the saved record back.
 */
export function remoteStep(impl: {
  do(ctx: StepContext, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  undo(ctx: StepContext, params: Record<string, unknown>, saved: Record<string, unknown>): Promise<void>;
}): StepKind {
  return {
    async do(ctx, step, commit) {
      await commit(await impl.do(ctx, step.params));
    },
    async undo(ctx, step, saved, commit) {
      await impl.undo(ctx, step.params, saved);
      await commit({});
    },
  };
}

export interface Progress {
  start(total: number, verb: string): void;
  step(index: number, step: MigrationStep, outcome: "done" | "skipped" | "undone"): void;
  finish(): void;
}

export const silentProgress: Progress = { start() {}, step() {}, finish() {} };

/** Runs every step of `steps` not yet journaled as done, in order. A second run changes nothing. */
export async function runSteps(
  ctx: Omit<StepContext, "results">,
  run: MigrationRun,
  steps: readonly MigrationStep[],
  kinds: Readonly<Record<string, StepKind>>,
  progress: Progress,
): Promise<{ done: number; skipped: number }> {
  const journal = await ctx.store.migrationJournal.steps(run.id);
  const results = new Map(journal.filter((s) => s.status === "done").map((s) => [s.key, s.result]));
  const full: StepContext = { ...ctx, results };
  let done = 0;
  progress.start(steps.length, "apply");
  for (const [seq, step] of steps.entries()) {
    if (results.has(step.key)) {
      progress.step(seq, step, "skipped");
      continue;
    }
    const kind = kinds[step.kind];
    if (!kind) throw new DomainError("conflict", `this build cannot run step kind ${step.kind} (${step.key})`);
    let committed = false;
    await kind.do(full, step, async (result, tx) => {
      const at = ctx.clock.now().toISOString();
      await (tx ?? ctx.store).migrationJournal.recordDone({
        runId: run.id,
        key: step.key,
        seq,
        kind: step.kind,
        result,
        at,
      });
      results.set(step.key, result);
      committed = true;
    });
    if (!committed) throw new Error(`step ${step.key} finished without recording itself`);
    done += 1;
    progress.step(seq, step, "done");
  }
  progress.finish();
  return { done, skipped: steps.length - done };
}

/** Undoes every step journaled as done, newest first; what was never done is left alone. */
export async function undoSteps(
  ctx: Omit<StepContext, "results">,
  run: MigrationRun,
  steps: readonly MigrationStep[],
  kinds: Readonly<Record<string, StepKind>>,
  progress: Progress,
): Promise<{ undone: number }> {
  const journal: JournalStep[] = await ctx.store.migrationJournal.steps(run.id);
  const results = new Map(journal.filter((s) => s.status === "done").map((s) => [s.key, s.result]));
  const full: StepContext = { ...ctx, results };
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const todo = journal.filter((s) => s.status === "done").sort((a, b) => b.seq - a.seq);
  progress.start(todo.length, "rollback");
  let undone = 0;
  for (const entry of todo) {
    const step = byKey.get(entry.key);
    const kind = kinds[entry.kind];
    if (!step || !kind) throw new DomainError("conflict", `the journal names a step this plan lacks: ${entry.key}`);
    await kind.undo(full, step, entry.result, async (_result, tx) => {
      await (tx ?? ctx.store).migrationJournal.recordUndone(run.id, entry.key, ctx.clock.now().toISOString());
    });
    undone += 1;
    progress.step(undone - 1, step, "undone");
  }
  progress.finish();
  return { undone };
}
