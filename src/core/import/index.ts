import type { Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import { followMembershipRules } from "../directory/membership-rules.js";
import { type Clock, systemClock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import type { CsvInput } from "./csv.js";
import { importGroups } from "./groups.js";
import { importMemberships } from "./memberships.js";
import { type ImportReport, ImportRun } from "./run.js";
import { importUsers } from "./users.js";

export type { CsvInput, RowError } from "./csv.js";
export { GROUP_COLUMNS, MEMBERSHIP_COLUMNS, USER_COLUMNS } from "./rows.js";
export type { ImportReport, KindCounts } from "./run.js";

export interface NamedInput {
  /** Shown in errors, e.g. the file path. */
  name: string;
  input: CsvInput;
}

export interface ImportFiles {
  users?: NamedInput | undefined;
  groups?: NamedInput | undefined;
  memberships?: NamedInput | undefined;
}

export interface ImportOptions {
  actor: Actor;
  /** Keep the good rows and report the bad ones, instead of writing nothing when any row is bad. */
  partial?: boolean | undefined;
  clock?: Clock | undefined;
  /** How many row errors the report lists (all are counted). */
  maxErrors?: number | undefined;
  /** Check every row and report, then roll back: nothing is written or logged (the console's preview). */
  dryRun?: boolean | undefined;
}

class RolledBack extends Error {}

/** After this many new rows the planner's statistics are stale enough to matter. */
const ANALYZE_AFTER_ROWS = 10_000;

/**
 * Imports users, then groups, then memberships (which may reference both) in ONE transaction.
 * Every row is checked and every problem reported with its line; by default any problem rolls
 * everything back. One system-log entry records the outcome and the counts.
 */
export async function importDirectory(store: Store, files: ImportFiles, opts: ImportOptions): Promise<ImportReport> {
  const clock = opts.clock ?? systemClock;
  const at = clock.now().toISOString();
  let run: ImportRun | undefined;
  try {
    const report = await store.transaction(async (tx) => {
      run = new ImportRun(tx, opts.partial ?? false, at, opts.maxErrors ?? 1000);
      if (files.users) await importUsers(run, files.users.name, files.users.input);
      if (files.groups) await importGroups(run, files.groups.name, files.groups.input);
      if (files.memberships) await importMemberships(run, files.memberships.name, files.memberships.input);
      if (run.writing) await followMembershipRules(tx, clock, opts.actor, run.ruleChanges, at);
      sortErrors(run.report);
      if (!run.writing || opts.dryRun) throw new RolledBack();
      run.report.committed = true;
      const written = run.report.users.written + run.report.groups.written + run.report.memberships.written;
      // One row, not one per imported row: a bulk change is cheaper to take in with one full sync per app.
      if (written > 0) await enqueueChange(tx, { kind: "directory", objectId: "import" }, at);
      await tx.log.append(logEvent(clock, opts.actor, "directory.import", null, summary(run.report, files)));
      return run.report;
    });
    const written = report.users.written + report.groups.written + report.memberships.written;
    if (written >= ANALYZE_AFTER_ROWS) await store.analyze();
    return report;
  } catch (err) {
    if (!(err instanceof RolledBack) || !run) throw err;
    const report = run.report;
    for (const counts of [report.users, report.groups, report.memberships]) {
      counts.written = 0;
      counts.existing = 0;
    }
    if (opts.dryRun) return report;
    await store.log.append(logEvent(clock, opts.actor, "directory.import", null, summary(report, files), "FAILURE"));
    return report;
  }
}

/** Existence checks run per batch, so errors can arrive out of line order; files keep their order. */
function sortErrors(report: ImportReport): void {
  const fileOrder = new Map<string, number>();
  for (const e of report.errors) if (!fileOrder.has(e.file)) fileOrder.set(e.file, fileOrder.size);
  report.errors.sort((a, b) => fileOrder.get(a.file)! - fileOrder.get(b.file)! || a.line - b.line);
}

function summary(report: ImportReport, files: ImportFiles): Record<string, unknown> {
  const count = ({ rows, written, rejected, existing }: ImportReport["users"]) => ({
    rows,
    written,
    rejected,
    existing,
  });
  return {
    files: { users: files.users?.name, groups: files.groups?.name, memberships: files.memberships?.name },
    partial: report.partial,
    users: count(report.users),
    groups: count(report.groups),
    memberships: count(report.memberships),
    errors: report.errorCount,
  };
}
