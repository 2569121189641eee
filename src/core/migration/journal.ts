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
  /**
   * The item this step belongs to (an AWS account: `aws:<id>`). A DomainError of such a step fails its item
   * only: the item's later steps wait for the next apply, the other items go on.
   */
  item?: string;
}

/** A step that failed against a remote system, reported per item; a later apply retries it. */
export interface ItemFailure {
  item: string;
  key: string;
  label: string;
  message: string;
  details: Record<string, unknown>;
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
  /**
   * Steps that this step's saved result adds right after it: computed once, at the step's first run, and replayed
   * from the journal afterwards (a plan of remote changes made before any of them, which re-planning would lose).
   */
  expand?(step: MigrationStep, saved: Record<string, unknown>): MigrationStep[];
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
  step(index: number, step: MigrationStep, outcome: "done" | "skipped" | "undone" | "failed"): void;
  /** Steps were added while running (a step's expansion). */
  grow(by: number): void;
  finish(): void;
}

export const silentProgress: Progress = { start() {}, step() {}, grow() {}, finish() {} };

/**
 * Runs every step of `steps` not yet journaled as done, in order, with the expansions of done steps spliced in
 * after them. A second run changes nothing. Journal rows are numbered in the order steps were done, so undo
 * goes back in exactly the reverse order.
 */
export async function runSteps(
  ctx: Omit<StepContext, "results">,
  run: MigrationRun,
  steps: readonly MigrationStep[],
  kinds: Readonly<Record<string, StepKind>>,
  progress: Progress,
): Promise<{ done: number; skipped: number; pending: number; failed: ItemFailure[]; steps: number }> {
  const journal = await ctx.store.migrationJournal.steps(run.id);
  const results = new Map(journal.filter((s) => s.status === "done").map((s) => [s.key, s.result]));
  let nextSeq = journal.reduce((max, s) => Math.max(max, s.seq + 1), 0);
  const full: StepContext = { ...ctx, results };
  const list = [...steps];
  const failed: ItemFailure[] = [];
  const blocked = new Set<string>();
  let done = 0;
  let skipped = 0;
  const kindOf = (step: MigrationStep) => {
    const kind = kinds[step.kind];
    if (!kind) throw new DomainError("conflict", `this build cannot run step kind ${step.kind} (${step.key})`);
    return kind;
  };
  const expand = (index: number, step: MigrationStep, kind: StepKind, saved: Record<string, unknown>) => {
    const more = kind.expand?.(step, saved) ?? [];
    list.splice(index + 1, 0, ...more);
    if (more.length) progress.grow(more.length);
  };
  progress.start(list.length, "apply");
  for (let index = 0; index < list.length; index++) {
    const step = list[index] as MigrationStep;
    const kind = kindOf(step);
    const saved = results.get(step.key);
    if (saved) {
      skipped += 1;
      progress.step(index, step, "skipped");
      expand(index, step, kind, saved);
      continue;
    }
    if (step.item && blocked.has(step.item)) continue;
    let committed: Record<string, unknown> | null = null;
    try {
      await kind.do(full, step, async (result, tx) => {
        const at = ctx.clock.now().toISOString();
        await (tx ?? ctx.store).migrationJournal.recordDone({
          runId: run.id,
          key: step.key,
          seq: nextSeq,
          kind: step.kind,
          result,
          at,
        });
        nextSeq += 1;
        results.set(step.key, result);
        committed = result;
      });
    } catch (err) {
      // An item's refusal (AWS said no, no keys to ask with) is the item's; anything else is a fault of the run.
      if (!step.item || !(err instanceof DomainError)) throw err;
      failed.push({ item: step.item, key: step.key, label: step.label, message: err.message, details: err.details });
      blocked.add(step.item);
      progress.step(index, step, "failed");
      continue;
    }
    if (committed === null) throw new Error(`step ${step.key} finished without recording itself`);
    done += 1;
    progress.step(index, step, "done");
    expand(index, step, kind, committed);
  }
  progress.finish();
  return { done, skipped, pending: list.length - done - skipped, failed, steps: list.length };
}

/** Undoes every step journaled as done, newest first; what was never done is left alone. */
export async function undoSteps(
  ctx: Omit<StepContext, "results">,
  run: MigrationRun,
  steps: readonly MigrationStep[],
  kinds: Readonly<Record<string, StepKind>>,
  progress: Progress,
  /** Undo only `steps` and what they expanded into (a rollback after cut-over undoes the cut-over's steps). */
  opts: { onlyGiven?: boolean } = {},
): Promise<{ undone: number }> {
  const journal: JournalStep[] = await ctx.store.migrationJournal.steps(run.id);
  const results = new Map(journal.filter((s) => s.status === "done").map((s) => [s.key, s.result]));
  const full: StepContext = { ...ctx, results };
  const byKey = new Map(steps.map((s) => [s.key, s]));
  // Steps added by expansions exist only in the journal: replay them so they can be undone too.
  for (const entry of journal) {
    const step = byKey.get(entry.key);
    const expand = step ? kinds[step.kind]?.expand : undefined;
    if (step && expand && entry.status === "done")
      for (const more of expand(step, entry.result)) byKey.set(more.key, more);
  }
  const toUndo = journal
    .filter((s) => s.status === "done" && (!opts.onlyGiven || byKey.has(s.key)))
    .sort((a, b) => b.seq - a.seq);
  progress.start(toUndo.length, "rollback");
  let undone = 0;
  for (const entry of toUndo) {
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
