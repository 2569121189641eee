/** Storage contract of the migration toolkit's journal. */

export type MigrationRunState = "applying" | "applied" | "cut_over" | "rolled_back";

export interface MigrationRun {
  id: string;
  fromAppId: string;
  fromSlug: string;
  toSlug: string;
  state: MigrationRunState;
  /** The plan this run applies, as JSON: a resumed apply finishes this plan, not a new one. */
  plan: string;
  created: string;
  lastUpdated: string;
}

export interface JournalStep {
  runId: string;
  key: string;
  /** Position in the plan's step list. */
  seq: number;
  kind: string;
  status: "done" | "undone";
  /** What the step did (ids it created...): what undoing it needs. */
  result: Record<string, unknown>;
  doneAt: string;
  undoneAt: string | null;
}

export interface MigrationJournalRepo {
  createRun(run: Omit<MigrationRun, "lastUpdated">): Promise<MigrationRun>;
  /** The newest run from this app to this target slug, whatever its state. */
  latestRun(fromAppId: string, toSlug: string): Promise<MigrationRun | null>;
  setRunState(id: string, state: MigrationRunState, at: string): Promise<void>;
  steps(runId: string): Promise<JournalStep[]>;
  /** Records a step as done; run it in the transaction that made the step's change. */
  recordDone(step: {
    runId: string;
    key: string;
    seq: number;
    kind: string;
    result: Record<string, unknown>;
    at: string;
  }): Promise<void>;
  /** Records a step as undone; run it in the transaction that undid it. */
  recordUndone(runId: string, key: string, at: string): Promise<void>;
}
