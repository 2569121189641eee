import { Type } from "@sinclair/typebox";
import type { MigrationStep, Progress } from "../../core/migration/journal.js";
import { Nullable, Timestamp } from "../schemas/common.js";

/** What the console polls while an apply, rollback or cut-over runs: the journal's steps as they pass. */
export const MigrationProgressOut = Type.Object(
  {
    verb: Type.Union([Type.Literal("apply"), Type.Literal("rollback"), Type.Literal("cutover")]),
    running: Type.Boolean(),
    total: Type.Integer(),
    /** Steps passed so far, whatever their outcome. */
    passed: Type.Integer(),
    done: Type.Integer(),
    skipped: Type.Integer(),
    undone: Type.Integer(),
    failed: Type.Integer(),
    lastStep: Nullable(Type.String()),
    startedAt: Timestamp,
    finishedAt: Nullable(Timestamp),
  },
  { additionalProperties: false, title: "MigrationProgress" },
);
export type MigrationProgressState = typeof MigrationProgressOut.static;

/**
 * The latest run's progress per (from, to), kept in this process only: the request that runs the steps is
 * served by this node, and the console polls the node it talks to. Nothing here is needed to resume — the
 * journal in the store is the record; this is only for a person watching.
 */
export class MigrationProgressBoard {
  private readonly runs = new Map<string, MigrationProgressState>();

  private static key(from: string, to: string): string {
    return JSON.stringify([from, to]);
  }

  get(from: string, to: string): MigrationProgressState | null {
    return this.runs.get(MigrationProgressBoard.key(from, to)) ?? null;
  }

  /** A Progress that records into the board; `finally` marks it finished even when the run throws. */
  track(from: string, to: string, verb: MigrationProgressState["verb"]): Progress & { close(): void } {
    const key = MigrationProgressBoard.key(from, to);
    const state: MigrationProgressState = {
      verb,
      running: true,
      total: 0,
      passed: 0,
      done: 0,
      skipped: 0,
      undone: 0,
      failed: 0,
      lastStep: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.runs.set(key, state);
    // A run may start several step lists (rollback after cut-over, cut-over's switches): totals add up.
    return {
      start(total: number) {
        state.total += total;
      },
      grow(by: number) {
        state.total += by;
      },
      step(_index: number, step: MigrationStep, outcome: "done" | "skipped" | "undone" | "failed") {
        state.passed += 1;
        state[outcome] += 1;
        state.lastStep = step.label;
      },
      finish() {},
      close() {
        state.running = false;
        state.finishedAt = new Date().toISOString();
      },
    };
  }
}
