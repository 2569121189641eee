import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import { expectError, expectNothingWritten, type Harness, openHarness } from "./harness.js";

const USERS = [
  "login,email,firstName,lastName",
  "new1@example.com,new1@example.com,New,One",
  "not a login,bad,Bad,Row",
  "new2@example.com,new2@example.com,New,Two",
].join("\n");

describe.each(backends)("POST /api/v1/import on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(backend, { bodyLimitBytes: 64 * 1024 });
  });
  afterAll(async () => h?.close());

  const post = (body: unknown) => h.call({ method: "POST", url: "/api/v1/import", body });

  it("dry run: reports each bad row with its file and line, and writes and logs nothing", async () => {
    await expectNothingWritten(h, async () => {
      const res = await post({ users: USERS, dryRun: true, names: { users: "people.csv" } });
      expect(res.statusCode).toBe(200);
      const report = res.json();
      expect(report).toMatchObject({ committed: false, users: { rows: 3, valid: 2, rejected: 1, written: 0 } });
      expect(report.errors.length).toBeGreaterThan(0);
      for (const e of report.errors) expect(e).toMatchObject({ file: "people.csv", line: 3 });
    });
  });

  it("all or nothing by default; with partial it writes the good rows and logs the import", async () => {
    expect((await post({ users: USERS })).json()).toMatchObject({ committed: false, users: { written: 0 } });
    expect((await h.call({ method: "GET", url: "/api/v1/users/new1@example.com" })).statusCode).toBe(404);
    const res = await post({ users: USERS, partial: true });
    expect(res.json()).toMatchObject({ committed: true, users: { written: 2, rejected: 1 } });
    expect((await h.call({ method: "GET", url: "/api/v1/users/new2@example.com" })).statusCode).toBe(200);
    const log = await h.call({ method: "GET", url: "/api/v1/logs?action=directory.import&limit=1" });
    expect(log.json()[0]).toMatchObject({ outcome: "SUCCESS" });
  });

  it("refuses a body with no file, and unknown fields", async () => {
    expectError(await post({ partial: true }), 400, "validation_failed");
    expectError(await post({ users: USERS, colour: "red" }), 400, "validation_failed");
  });
});
