import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { current, enablePatches, Immer, isDraft, type Patch } from "immer";
import type { SandboxState } from "./model.js";

/**
 * Copy-on-write with structural sharing: a write copies only the objects on the path it changes, so a
 * write costs the same with ten users or ten thousand (a deep copy per write made a bulk SCIM sync
 * quadratic). Frozen objects are not needed: nothing outside `mutate` writes to the state.
 */
const immer = new Immer({ autoFreeze: false });
enablePatches();

/** Journal rows replayed on open before the document is rewritten whole. */
const COMPACT_AFTER_ROWS = 2_000;
/** A write whose patches exceed this is cheaper stored as a new snapshot than as a journal row. */
const COMPACT_AFTER_BYTES = 512 * 1024;

/**
 * Holds the state and persists it. Every mutation runs on a draft that replaces the live state only after
 * the handler finished without error and its changes were written in one SQLite transaction, so neither
 * memory nor disk ever holds a half-applied change. On disk: a snapshot plus a journal of the changes
 * (immer patches) made since, folded into a new snapshot every so often and on open.
 */
/** When and where an access key last signed a request (GetAccessKeyLastUsed). */
export interface KeyUse {
  date: Date;
  serviceName: string;
  region: string;
}

export class SandboxStore {
  private current: SandboxState;
  /**
   * Kept in memory only, like a cache of AWS's (itself hours-late) record: persisting a row per signed request
   * would cost a write per read. A restart forgets last use.
   */
  readonly keyUse = new Map<string, KeyUse>();
  private readonly db: Database.Database | undefined;
  private journalRows = 0;
  /** Prepared once: every write on the hot path appends one row. */
  private readonly appendJournal: Database.Statement | undefined;

  private constructor(state: SandboxState, db: Database.Database | undefined) {
    this.current = state;
    this.db = db;
    this.appendJournal = db?.prepare("INSERT INTO sandbox_journal (patches) VALUES (?)");
  }

  /** Opens `<dataDir>/sandbox.db`, seeding it with `seed()` only when it holds no state yet. */
  static open(dataDir: string | undefined, seed: () => SandboxState): SandboxStore {
    if (dataDir === undefined) return new SandboxStore(seed(), undefined);
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, "sandbox.db"));
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS sandbox_state (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS sandbox_journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, patches TEXT NOT NULL)`);
    try {
      const row = db.prepare("SELECT document FROM sandbox_state WHERE id = 1").get() as
        | { document: string }
        | undefined;
      let state = row ? (JSON.parse(row.document) as SandboxState) : seed();
      const journal = db.prepare("SELECT patches FROM sandbox_journal ORDER BY seq").all() as Array<{
        patches: string;
      }>;
      for (const entry of journal) state = immer.applyPatches(state, JSON.parse(entry.patches) as Patch[]);
      const store = new SandboxStore(state, db);
      if (!row || journal.length > 0) store.snapshot(state);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get state(): Readonly<SandboxState> {
    return this.current;
  }

  /**
   * Runs `change` on a draft of the state. What it returns must not be a live draft once the change is
   * over, so drafts in the result are replaced by plain copies.
   */
  mutate<T>(change: (draft: SandboxState) => T): T {
    let result: T | undefined;
    const recipe = (draft: SandboxState) => {
      result = detach(change(draft));
    };
    if (!this.db) {
      this.current = immer.produce(this.current, recipe);
      return result as T;
    }
    const [next, patches] = immer.produceWithPatches(this.current, recipe);
    if (patches.length > 0) this.record(next, patches);
    this.current = next;
    return result as T;
  }

  close(): void {
    this.db?.close();
  }

  private record(next: SandboxState, patches: Patch[]): void {
    const text = JSON.stringify(patches);
    if (this.journalRows + 1 >= COMPACT_AFTER_ROWS || text.length > COMPACT_AFTER_BYTES) {
      this.snapshot(next);
      return;
    }
    this.appendJournal?.run(text);
    this.journalRows++;
  }

  private snapshot(state: SandboxState): void {
    const db = this.db;
    if (!db) return;
    const write = db.prepare(
      "INSERT INTO sandbox_state (id, document) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET document = excluded.document",
    );
    db.transaction(() => {
      write.run(JSON.stringify(state));
      db.exec("DELETE FROM sandbox_journal");
    })();
    this.journalRows = 0;
  }
}

/** Plain copies of any drafts in a mutation's result, however deep (results are small: a resource, a pair). */
function detach<T>(value: T): T {
  if (isDraft(value)) return current(value as never) as T;
  if (Array.isArray(value)) {
    const items = value.map(detach);
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [k, detach(v)] as const);
    const changed = entries.some(([k, v]) => v !== (value as Record<string, unknown>)[k]);
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}
