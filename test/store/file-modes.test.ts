import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { resolveMasterKey } from "../../src/config/master-key.js";
import { openSqliteStore } from "../../src/store/sqlite/index.js";

const root = mkdtempSync(join(tmpdir(), "rb-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe("files holding the directory are private to the service's user", () => {
  it("creates the data dir 0700 and the database, its -wal and -shm 0600", async () => {
    const dir = join(root, "fresh", "data");
    const store = await openSqliteStore(join(dir, "rolebridge.db"));
    await store.users.count();
    expect(mode(dir)).toBe(0o700);
    for (const f of ["rolebridge.db", "rolebridge.db-wal", "rolebridge.db-shm"])
      expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
    await store.close();
  });

  it("tightens a database created earlier with looser modes", async () => {
    const dir = join(root, "older");
    const store0 = await openSqliteStore(join(dir, "rolebridge.db"));
    await store0.close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "rolebridge.db"), 0o644);
    const store = await openSqliteStore(join(dir, "rolebridge.db"));
    await store.users.count();
    expect([mode(dir), mode(join(dir, "rolebridge.db"))]).toEqual([0o700, 0o600]);
    await store.close();
  });

  it("creates the data dir 0700 when it generates the dev master key", () => {
    const dir = join(root, "keyed");
    resolveMasterKey(loadConfig({ env: {}, overrides: { dataDir: dir } }));
    expect([mode(dir), mode(join(dir, "master.key"))]).toEqual([0o700, 0o600]);
  });
});
