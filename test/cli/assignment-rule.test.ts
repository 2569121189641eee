import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { rolebridge, tempDir } from "./run.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => rolebridge([...args, "--data-dir", dir]);
const ACCOUNT = "222233334444";

describe("rolebridge explain: group-only people and group priority", () => {
  it("a group-only person gets the group's role with Join all roles off; priority mode names the loser", async () => {
    expect((await run("users", "create", "--login", "m2@example.com", "--email", "m2@example.com")).code).toBe(0);
    const ids: string[] = [];
    for (const name of ["legacy-team", "auditors"]) {
      const g = JSON.parse((await run("groups", "create", "--name", name, "--json")).stdout) as { id: string };
      expect((await run("groups", "add-member", g.id, "m2@example.com")).code).toBe(0);
      ids.push(g.id);
    }
    const settings = JSON.stringify({ defaultSamlProviderName: "rolebridge" });
    expect((await run("apps", "create", "--slug", "aws-legacy", "--label", "AWS", "--settings", settings)).code).toBe(
      0,
    );
    const assign = (group: string, roleName: string, ...more: string[]) =>
      run(
        "apps",
        "assign",
        "aws-legacy",
        "--group",
        group,
        "--role",
        `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        ...more,
      );
    expect((await assign(ids[0]!, "ReadOnly")).code).toBe(0);

    const one = await run("explain", "--app", "aws-legacy", "--user", "m2@example.com");
    expect(one.stdout).toContain("Assignment rule: assigned through groups only: the union of their groups' roles.");
    expect(one.stdout).toContain(`1 role(s):\n  arn:aws:iam::${ACCOUNT}:role/ReadOnly`);
    expect(one.stdout).toContain("group-assignment via legacy-team (groups-combine, priority 0)");

    const second = await assign(ids[1]!, "Audit", "--priority", "0");
    expect([second.code, second.stdout]).toEqual([
      0,
      `Assigned group local/auditors (${ids[1]}) to aws-legacy at priority 0.\n`,
    ]);
    expect((await run("apps", "update", "aws-legacy", "--settings", '{"groupAssignmentMode":"priority"}')).code).toBe(
      0,
    );
    const prio = await run("explain", "--app", "aws-legacy", "--user", "m2@example.com");
    expect(prio.stdout).toContain(`1 role(s):\n  arn:aws:iam::${ACCOUNT}:role/Audit`);
    expect(prio.stdout).toContain(
      `not granted arn:aws:iam::${ACCOUNT}:role/ReadOnly from legacy-team: lost on priority (1) to auditors (priority 0)`,
    );

    const bad = await assign(ids[0]!, "ReadOnly", "--priority", "-1");
    expect(bad.code).toBe(2);
    const far = await assign(ids[0]!, "ReadOnly", "--priority", "7");
    expect([far.code, far.stderr]).toEqual([
      2,
      "rolebridge: the assignment is invalid: /priority the app has 2 group assignment(s): priority must be from 0 to 1\n",
    ]);
  });

  it("takes a group by name from any source, asks for --source when two hold it, and says where a name is", async () => {
    const ad = JSON.parse(
      (await run("groups", "create", "--name", "engineering", "--source", "active_directory", "--json")).stdout,
    ) as { id: string };
    const byName = await run("apps", "assign", "aws-legacy", "--group", "engineering");
    expect([byName.code, byName.stdout]).toEqual([
      0,
      `Assigned group active_directory/engineering (${ad.id}) to aws-legacy at priority 2.\n`,
    ]);
    const added = await run("groups", "add-member", "engineering", "m2@example.com");
    expect([added.code, added.stdout]).toEqual([0, "Added m2@example.com to engineering.\n"]);
    const wrongSource = await run("groups", "add-member", "engineering", "m2@example.com", "--source", "local");
    expect([wrongSource.code, wrongSource.stderr]).toEqual([
      3,
      'rolebridge: no group "engineering" in source local; found in: active_directory\n',
    ]);
    expect((await run("groups", "create", "--name", "engineering")).code).toBe(0);
    const ambiguous = await run("apps", "unassign", "aws-legacy", "--group", "engineering");
    expect([ambiguous.code, ambiguous.stderr]).toEqual([
      2,
      'rolebridge: the group name "engineering" is in several sources: active_directory, local; say which with --source <source>\n',
    ]);
    const chosen = await run(
      "apps",
      "unassign",
      "aws-legacy",
      "--group",
      "engineering",
      "--source",
      "active_directory",
    );
    expect(chosen.code).toBe(0);
    const nowhere = await run("groups", "get", "enginering");
    expect([nowhere.code, nowhere.stderr]).toEqual([
      3,
      'rolebridge: no group "enginering" in any source (give its name or grp_… id)\n',
    ]);
  });
});
