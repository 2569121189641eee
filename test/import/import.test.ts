import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliActor } from "../../src/core/audit.js";
import { directory } from "../../src/core/directory/index.js";
import { type ImportFiles, importDirectory } from "../../src/core/import/index.js";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

const csv = (name: string, text: string | Buffer) => ({ name, input: Readable.from([Buffer.from(text)]) });

const USERS = [
  "login,email,firstName,lastName,displayName,status",
  "alice@example.com,alice@example.com,Alice,Liddell,Alice L,ACTIVE",
  "bob@example.com,bob@example.com,Bob,Builder,,STAGED",
  "carol@example.com,carol@example.com,,,,",
].join("\n");
const GROUPS = [
  "name,description,source,externalId",
  "engineering,Engineers,,",
  "aws#prod#admin#111122223333,,active_directory,S-1-5-21-1",
].join("\n");
const MEMBERSHIPS = [
  "group,user,source",
  "engineering,alice@example.com,",
  "engineering,bob@example.com,local",
  "aws#prod#admin#111122223333,ALICE@example.com,active_directory",
].join("\n");

describe.each(backends)("CSV import on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterEach(() => cleanup());

  const run = (files: ImportFiles, partial = false) => importDirectory(store, files, { actor: cliActor(), partial });
  const counts = async () => ({
    users: await store.users.count(),
    groups: await store.groups.count(),
    memberships: await store.memberships.count(),
  });
  const nothing = { users: 0, groups: 0, memberships: 0 };

  it("imports users, groups and memberships in one go, with one log entry", async () => {
    const report = await run({
      users: csv("users.csv", USERS),
      groups: csv("groups.csv", GROUPS),
      memberships: csv("memberships.csv", MEMBERSHIPS),
    });
    expect(report.errors).toEqual([]);
    expect(report.committed).toBe(true);
    expect(await counts()).toEqual({ users: 3, groups: 2, memberships: 3 });
    const alice = await store.users.getByLogin("alice@example.com");
    expect(alice?.profile).toEqual({
      login: "alice@example.com",
      email: "alice@example.com",
      firstName: "Alice",
      lastName: "Liddell",
      displayName: "Alice L",
    });
    expect((await store.users.getByLogin("bob@example.com"))?.status).toBe("STAGED");
    expect((await store.memberships.groupsOfUser(alice!.id)).map((g) => g.name).sort()).toEqual([
      "aws#prod#admin#111122223333",
      "engineering",
    ]);
    const group = await store.groups.getByName("active_directory", "aws#prod#admin#111122223333");
    expect(group?.externalId).toBe("S-1-5-21-1");
    const log = await store.log.list({ action: "directory.import" }, { limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]?.summary).toMatchObject({ users: { written: 3 }, memberships: { written: 3 } });
  });

  it("imports each kind on its own, memberships resolving against stored users and groups", async () => {
    await run({ users: csv("u.csv", USERS) });
    await run({ groups: csv("g.csv", GROUPS) });
    const report = await run({ memberships: csv("m.csv", MEMBERSHIPS) });
    expect(report.memberships).toMatchObject({ rows: 3, written: 3, rejected: 0 });
    const again = await run({ memberships: csv("m.csv", MEMBERSHIPS) });
    expect(again.memberships).toMatchObject({ rows: 3, written: 0, existing: 3 });
    expect(await counts()).toEqual({ users: 3, groups: 2, memberships: 3 });
  });

  it("refuses wrong columns, listing expected and found", async () => {
    const report = await run({ users: csv("u.csv", "login,mail,firstName\nx@example.com,x@example.com,X\n") });
    expect(report.errors).toEqual([
      {
        file: "u.csv",
        line: 1,
        message:
          "wrong columns: expected login,email[,firstName,lastName,displayName,status], found login,mail,firstName (missing email; unknown mail)",
      },
    ]);
    expect(report.committed).toBe(false);
    expect(await counts()).toEqual(nothing);
  });

  it("refuses a file that is not UTF-8, naming the line", async () => {
    const latin1 = Buffer.concat([
      Buffer.from("login,email,firstName\nann@example.com,ann@example.com,Ann\nzoe@example.com,zoe@example.com,Zo"),
      Buffer.from([0xeb]),
      Buffer.from("\n"),
    ]);
    const report = await run({ users: csv("u.csv", latin1) });
    expect(report.errors).toEqual([
      { file: "u.csv", line: 3, message: "not valid UTF-8 (byte 0xeb); save the file as UTF-8" },
    ]);
    expect(await counts()).toEqual(nothing);
  });

  it("accepts a UTF-8 byte order mark and multi-byte names", async () => {
    const text = "\uFEFFlogin,email,displayName\nzoë@example.com,zoe@example.com,Zoë Ünal\n";
    const report = await run({ users: csv("u.csv", text) });
    expect(report.errors).toEqual([]);
    expect((await store.users.getByLogin("ZOË@example.com"))?.profile.displayName).toBe("Zoë Ünal");
  });

  it("refuses duplicate rows and invalid emails, each with its line, and writes nothing", async () => {
    const text = [
      "login,email",
      "ann@example.com,ann@example.com",
      "bad@example.com,not-an-email",
      "ANN@example.com,ann2@example.com",
      "ok@example.com,ok@example.com",
    ].join("\n");
    const report = await run({ users: csv("u.csv", text) });
    expect(report.errors).toEqual([
      { file: "u.csv", line: 3, column: "email", message: '"not-an-email" is not a valid email address' },
      { file: "u.csv", line: 4, column: "login", message: 'duplicate login "ANN@example.com" (first at line 2)' },
    ]);
    expect(report.users).toMatchObject({ rows: 4, valid: 2, rejected: 2, written: 0 });
    expect(await counts()).toEqual(nothing);
  });

  it("refuses a login that already exists in the directory", async () => {
    await directory(store).users.create(cliActor(), {
      profile: {
        login: "ann@example.com",
        email: "ann@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
    const text = "login,email\nnew@example.com,new@example.com\nAnn@Example.com,ann@example.com\n";
    const report = await run({ users: csv("u.csv", text) });
    expect(report.errors).toEqual([
      { file: "u.csv", line: 3, column: "login", message: 'a user with login "Ann@Example.com" already exists' },
    ]);
    expect(await counts()).toEqual({ users: 1, groups: 0, memberships: 0 });
  });

  it("refuses duplicate groups and groups that already exist", async () => {
    await directory(store).groups.create(cliActor(), { name: "ops" });
    const text = "name,source\nops,\neng,local\nENG,\neng,active_directory\n";
    const report = await run({ groups: csv("g.csv", text) });
    expect(report.errors).toEqual([
      { file: "g.csv", line: 2, column: "name", message: 'the group "ops" (source local) already exists' },
      { file: "g.csv", line: 4, column: "name", message: 'duplicate group "ENG" (source local) (first at line 3)' },
    ]);
    expect(await counts()).toEqual({ users: 0, groups: 1, memberships: 0 });
  });

  it("refuses memberships to a missing user or group, and duplicate membership rows", async () => {
    await run({ users: csv("u.csv", USERS), groups: csv("g.csv", GROUPS) });
    const text = [
      "group,user",
      "engineering,alice@example.com",
      "engineering,nobody@example.com",
      "nogroup,bob@example.com",
      "engineering,Alice@example.com",
    ].join("\n");
    const report = await run({ memberships: csv("m.csv", text) });
    expect(report.errors).toEqual([
      { file: "m.csv", line: 3, column: "user", message: 'user "nobody@example.com" does not exist' },
      { file: "m.csv", line: 4, column: "group", message: 'group "nogroup" does not exist' },
      {
        file: "m.csv",
        line: 5,
        message: 'duplicate row: user "Alice@example.com" in group "engineering" appears earlier in the file',
      },
    ]);
    expect(await counts()).toEqual({ users: 3, groups: 2, memberships: 0 });
  });

  it("rolls back all three files when one row of the last is bad", async () => {
    const memberships = `${MEMBERSHIPS}\nengineering,ghost@example.com,`;
    const report = await run({
      users: csv("u.csv", USERS),
      groups: csv("g.csv", GROUPS),
      memberships: csv("m.csv", memberships),
    });
    expect(report.errors).toEqual([
      { file: "m.csv", line: 5, column: "user", message: 'user "ghost@example.com" does not exist' },
    ]);
    expect(report.committed).toBe(false);
    expect(await counts()).toEqual(nothing);
    const log = await store.log.list({ action: "directory.import" }, { limit: 10 });
    expect(log.items.map((e) => e.outcome)).toEqual(["FAILURE"]);
  });

  it("says why a membership fails when its user's row was refused", async () => {
    const users = "login,email\nann@example.com,broken\n";
    const memberships = "group,user\nengineering,ann@example.com\n";
    const report = await run({
      users: csv("u.csv", users),
      groups: csv("g.csv", GROUPS),
      memberships: csv("m.csv", memberships),
    });
    expect(report.errors.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([
      'u.csv:2: "broken" is not a valid email address',
      'm.csv:2: user "ann@example.com" is not imported: its row u.csv:2 has errors',
    ]);
  });

  it("reports a row with the wrong number of fields and broken quoting", async () => {
    const text = 'login,email\na@example.com\nb@example.com,b@example.com\n"c@example.com,c@example.com\n';
    const report = await run({ users: csv("u.csv", text) });
    expect(report.errors).toEqual([
      { file: "u.csv", line: 2, message: "expected 2 fields, found 1" },
      { file: "u.csv", line: 4, message: expect.stringMatching(/^malformed CSV: Quote Not Closed/) },
    ]);
    expect(await counts()).toEqual(nothing);
  });

  it("reports a file that fails while being read, instead of hanging", async () => {
    async function* failing() {
      yield Buffer.from("login,email\nann@example.com,ann@example.com\n");
      throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    }
    const report = await run({ users: { name: "u.csv", input: failing() } });
    expect(report.errors).toEqual([{ file: "u.csv", line: 0, message: "cannot read the file: EIO: i/o error, read" }]);
    expect(await counts()).toEqual(nothing);
  });

  it("keeps the good rows with partial", async () => {
    const users = `${USERS}\nbad@example.com,not-an-email,,,,\ndan@example.com,dan@example.com,,,,SUSPENDED`;
    const memberships = `${MEMBERSHIPS}\nengineering,ghost@example.com,`;
    const report = await run(
      { users: csv("u.csv", users), groups: csv("g.csv", GROUPS), memberships: csv("m.csv", memberships) },
      true,
    );
    expect(report.committed).toBe(true);
    expect(report.errors.map((e) => [e.line, e.column])).toEqual([
      [5, "email"],
      [6, "status"],
      [5, "user"],
    ]);
    expect(report.users).toMatchObject({ rows: 5, written: 3, rejected: 2 });
    expect(await counts()).toEqual({ users: 3, groups: 2, memberships: 3 });
  });
});
