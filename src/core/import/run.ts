import type { Repos } from "../../store/contract.js";
import type { MembershipChange } from "../directory/membership-rules.js";
import { type ColumnSpec, type CsvInput, type RowError, readCsv } from "./csv.js";

export interface KindCounts {
  /** Data rows read (the header and blank lines excluded). */
  rows: number;
  /** Rows that passed every check. */
  valid: number;
  /** Rows written; 0 when the import was rolled back. */
  written: number;
  rejected: number;
  /** Memberships that already existed: nothing to write, not an error. */
  existing: number;
}

export interface ImportReport {
  /** True when the import's writes were committed (all rows valid, or `partial`). */
  committed: boolean;
  partial: boolean;
  users: KindCounts;
  groups: KindCounts;
  memberships: KindCounts;
  /** The first `maxErrors` problems, in file order. */
  errors: RowError[];
  errorCount: number;
}

export interface Ref {
  id: string;
  /** Dense number per user or group, so a membership pair is two small integers (see PairSet). */
  index: number;
}

const counts = (): KindCounts => ({ rows: 0, valid: 0, written: 0, rejected: 0, existing: 0 });

/**
 * State of one import. Memory is bounded by the number of distinct users and groups, never by the
 * number of membership rows: rows stream through in batches and only keys and ids stay.
 */
export class ImportRun {
  readonly report: ImportReport;
  /** Login key -> user, for users created by this import and users found in the store. */
  readonly users = new Map<string, Ref>();
  /** Group key (source + name key) -> group, likewise. */
  readonly groups = new Map<string, Ref>();
  /** Keys whose rows in this import were refused, with `file:line`: later references say why they fail. */
  readonly rejectedUsers = new Map<string, string>();
  readonly rejectedGroups = new Map<string, string>();
  /** Memberships written into groups that membership rules start from: the rules follow once the rows are in. */
  readonly ruleChanges: MembershipChange[] = [];
  private nextIndex = 0;

  constructor(
    readonly tx: Repos,
    readonly partial: boolean,
    readonly at: string,
    private readonly maxErrors: number,
  ) {
    this.report = {
      committed: false,
      partial,
      users: counts(),
      groups: counts(),
      memberships: counts(),
      errors: [],
      errorCount: 0,
    };
  }

  /** All-or-nothing stops writing at the first error (it will roll back) but keeps checking every row. */
  get writing(): boolean {
    return this.partial || this.report.errorCount === 0;
  }

  ref(id: string): Ref {
    return { id, index: this.nextIndex++ };
  }

  fail(error: RowError): void {
    this.report.errorCount++;
    if (this.report.errors.length < this.maxErrors) this.report.errors.push(error);
  }

  /**
   * The data rows of one file, counted into `counts`. Unreadable lines are reported and counted as
   * rejected here, so each kind's importer sees only rows to check.
   */
  async *rows(file: string, input: CsvInput, spec: ColumnSpec, counts: KindCounts) {
    for await (const item of readCsv(file, input, spec)) {
      if (item.kind === "error") {
        if (!item.fatal) {
          counts.rows++;
          counts.rejected++;
        }
        this.fail(item.error);
        continue;
      }
      counts.rows++;
      yield item;
    }
  }
}
