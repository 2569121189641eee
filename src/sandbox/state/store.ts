import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { SandboxState } from "./model.js";

/**
 * Holds the state and persists it. Every mutation runs on a private copy that replaces the live state only
 * after the handler finished without error and the copy was written in one SQLite transaction, so neither
 * memory nor disk ever holds a half-applied change.
 */
export class SandboxStore {
  private current: SandboxState;
  private readonly db: Database.Database | undefined;

  private constructor(state: SandboxState, db: Database.Database | undefined) {
    this.current = state;
    this.db = db;
  }

  /** Opens `<dataDir>/sandbox.db`, seeding it with `seed()` only when it holds no state yet. */
  static open(dataDir: string | undefined, seed: () => SandboxState): SandboxStore {
    if (dataDir === undefined) return new SandboxStore(seed(), undefined);
    mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, "sandbox.db"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE IF NOT EXISTS sandbox_state (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL)");
    try {
      const row = db.prepare("SELECT document FROM sandbox_state WHERE id = 1").get() as
        | { document: string }
        | undefined;
      const store = new SandboxStore(row ? (JSON.parse(row.document) as SandboxState) : seed(), db);
      if (!row) store.persist(store.current);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  get state(): Readonly<SandboxState> {
    return this.current;
  }

  mutate<T>(change: (draft: SandboxState) => T): T {
    const draft = structuredClone(this.current);
    const result = change(draft);
    this.persist(draft);
    this.current = draft;
    return result;
  }

  close(): void {
    this.db?.close();
  }

  private persist(state: SandboxState): void {
    if (!this.db) return;
    const write = this.db.prepare(
      "INSERT INTO sandbox_state (id, document) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET document = excluded.document",
    );
    this.db.transaction(() => write.run(JSON.stringify(state)))();
  }
}
