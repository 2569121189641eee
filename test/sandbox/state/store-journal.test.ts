import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { readFixture, stateFromFixture } from "../../../src/sandbox/state/fixture.js";
import { SandboxStore } from "../../../src/sandbox/state/store.js";

const demo = () => JSON.parse(readFileSync(new URL("../../../fixtures/sandbox/demo.json", import.meta.url), "utf8"));
const load = (fixture: object) => stateFromFixture(readFixture(fixture).fixture);

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const fresh = () => {
  dir = mkdtempSync(join(tmpdir(), "rolebridge-sandbox-journal-"));
  return SandboxStore.open(dir, () => load(demo()));
};
const reopen = () =>
  SandboxStore.open(dir, () => {
    throw new Error("must not reseed");
  });
const journalRows = () => {
  const db = new Database(join(dir as string, "sandbox.db"), { readonly: true });
  const { n } = db.prepare("SELECT count(*) AS n FROM sandbox_journal").get() as { n: number };
  db.close();
  return n;
};

describe("sandbox store: copy-on-write state with a change journal", () => {
  it("replays journalled writes on open and folds them into the snapshot", () => {
    const store = fresh();
    for (let i = 0; i < 25; i++) {
      store.mutate((draft) => {
        draft.roles[0]!.description = `edit ${i}`;
        draft.roles.push({ ...draft.roles[0]!, name: `Added${i}`, arn: `${draft.roles[0]!.arn}-${i}` });
      });
    }
    store.mutate((draft) => {
      draft.roles.splice(1, 1);
    });
    expect(journalRows()).toBe(26);
    const expected = JSON.stringify(store.state);
    store.close();
    const again = reopen();
    expect(JSON.stringify(again.state)).toBe(expected);
    expect(journalRows()).toBe(0);
    again.close();
  });

  it("shares what a write did not touch and leaves the previous state as it was", () => {
    const store = fresh();
    const before = store.state;
    const beforeRoles = JSON.stringify(before.roles);
    store.mutate((draft) => {
      draft.roles[0]!.description = "changed";
    });
    expect(store.state.accounts).toBe(before.accounts);
    expect(store.state.roles).not.toBe(before.roles);
    expect(JSON.stringify(before.roles)).toBe(beforeRoles);
    store.close();
  });

  it("returns plain objects, never drafts that die with the write", () => {
    const store = SandboxStore.open(undefined, () => load(demo()));
    const [role, pair] = store.mutate((draft) => {
      draft.roles[0]!.description = "read after";
      return [draft.roles[0]!, { inner: draft.roles[0]!, deeper: [{ role: draft.roles[0]! }] }] as const;
    });
    expect(role.description).toBe("read after");
    expect(pair.inner.name).toBe(role.name);
    expect(structuredClone(role).name).toBe(role.name);
    expect(structuredClone(pair).deeper[0]?.role.name).toBe(role.name);
  });

  it("writes nothing when a change throws after editing its draft", () => {
    const store = fresh();
    store.mutate((draft) => {
      draft.roles[0]!.description = "kept";
    });
    expect(() =>
      store.mutate((draft) => {
        draft.roles[0]!.description = "lost";
        throw new Error("refused");
      }),
    ).toThrow("refused");
    expect(store.state.roles[0]?.description).toBe("kept");
    expect(journalRows()).toBe(1);
    store.close();
    const again = reopen();
    expect(again.state.roles[0]?.description).toBe("kept");
    again.close();
  });
});
