import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";

/**
 * The data directory holds the directory database and the dev master key: readable by the service's user
 * only. Created 0700, and tightened to 0700 when an older version left it wider.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * Creates `file` 0600 if missing, and tightens it to 0600 otherwise. SQLite gives the -wal and -shm files
 * the database file's mode, so this must run before SQLite first opens the database.
 */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  chmodSync(file, 0o600);
}
