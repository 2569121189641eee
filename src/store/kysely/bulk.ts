import type BetterSqlite3 from "better-sqlite3";

/**
 * Many-row inserts straight on SQLite's connection, for the writes that carry a directory's worth of rows (a sync's
 * hundred thousand people and million memberships). Going through Kysely renders and parses one huge statement per
 * chunk and SQLite compiles each again; here one prepared statement of a fixed number of rows is bound over and
 * over, which is most of what a million-row write costs on the client side.
 *
 * Only handed to repositories built for a transaction: the transaction holds the (single) connection, and
 * better-sqlite3 runs synchronously, so nothing else can slip a statement in between.
 */
export interface BulkWriter {
  /**
   * `insert into <head> values (?, …), … <tail>` for every row, whose `width` values `put` appends to the statement's
   * parameters (no array per row: a million rows are a million fewer allocations); returns how many rows SQLite
   * reports changed (a row skipped by `on conflict do nothing` is not counted).
   */
  insert<T>(
    head: string,
    tail: string,
    width: number,
    rows: Iterable<T>,
    put: (row: T, out: unknown[]) => void,
  ): number;
}

/** SQLite allows 32766 parameters a statement; this many keeps statements short enough to prepare cheaply too. */
const PARAMETERS = 960;

export function sqliteBulkWriter(sqlite: BetterSqlite3.Database): BulkWriter {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const statement = (head: string, tail: string, width: number, rows: number) => {
    const key = `${rows}\u0000${head}\u0000${tail}`;
    let s = statements.get(key);
    if (!s) {
      const tuple = `(${Array.from({ length: width }, () => "?").join(",")})`;
      s = sqlite.prepare(`insert into ${head} values ${Array.from({ length: rows }, () => tuple).join(",")} ${tail}`);
      statements.set(key, s);
    }
    return s;
  };
  return {
    insert(head, tail, width, rows, put) {
      const perStatement = Math.max(1, Math.floor(PARAMETERS / width));
      const full = statement(head, tail, width, perStatement);
      let changed = 0;
      let batch: unknown[] = [];
      let count = 0;
      for (const row of rows) {
        put(row, batch);
        if (batch.length !== (count + 1) * width)
          throw new Error(`bulk insert into ${head}: a row of ${batch.length - count * width} values, not ${width}`);
        if (++count === perStatement) {
          changed += full.run(batch).changes;
          batch = [];
          count = 0;
        }
      }
      if (count > 0) changed += statement(head, tail, width, count).run(batch).changes;
      return changed;
    },
  };
}
