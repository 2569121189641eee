import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase } from "../helpers/backends.js";
import { lastLine, rolebridge, tempDir } from "./run.js";

const dirs: string[] = [];
const dataDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("rolebridge token", () => {
  it("prints the new token as the last line, and token list shows it", async () => {
    const dir = dataDir();
    const created = await rolebridge(["token", "create", "--data-dir", dir, "--name", "terraform"]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const secret = lastLine(created.stdout);
    expect(secret).toMatch(/^rbt_[A-Za-z0-9_-]{20,}$/);

    const listed = await rolebridge(["token", "list", "--data-dir", dir, "--json"]);
    expect(listed.code).toBe(0);
    const tokens = JSON.parse(listed.stdout) as { id: string; name: string; prefix: string; revokedAt: unknown }[];
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ name: "terraform", revokedAt: null });
    expect(secret.startsWith(tokens[0]!.prefix)).toBe(true);
    expect(listed.stdout).not.toContain(secret);

    const revoked = await rolebridge(["token", "revoke", "--data-dir", dir, tokens[0]!.id]);
    expect(revoked.code).toBe(0);
    const again = await rolebridge(["token", "revoke", "--data-dir", dir, tokens[0]!.id]);
    expect(again).toMatchObject({ code: 4, stdout: "" });
    expect(again.stderr).toBe(`rolebridge: token ${tokens[0]!.id} is already revoked\n`);
  });

  it("gives the token in JSON with --json, against PostgreSQL when DATABASE_URL is set", async () => {
    const db = await createPgDatabase();
    try {
      const dir = dataDir();
      const env = { DATABASE_URL: db.url };
      const created = await rolebridge(["token", "create", "--data-dir", dir, "--name", "ci", "--json"], { env });
      expect(created.code).toBe(0);
      const body = JSON.parse(created.stdout) as { token: string; name: string };
      expect(body).toMatchObject({ name: "ci", token: expect.stringMatching(/^rbt_/) });
      const listed = await rolebridge(["token", "list", "--data-dir", dir, "--json"], { env });
      expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(1);
      // The SQLite file in the data directory was never used.
      const sqlite = await rolebridge(["token", "list", "--data-dir", dir, "--json"]);
      expect(JSON.parse(sqlite.stdout)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

describe("configuration", () => {
  it("reads the data directory from --config, and ROLEBRIDGE_DATA_DIR, with flags winning", async () => {
    const dir = dataDir();
    const other = dataDir();
    const config = join(dir, "rolebridge.json");
    writeFileSync(config, JSON.stringify({ dataDir: dir }));
    expect((await rolebridge(["token", "create", "--config", config, "--name", "from-file"])).code).toBe(0);
    const fromEnv = await rolebridge(["token", "list", "--json"], { env: { ROLEBRIDGE_DATA_DIR: dir } });
    expect((JSON.parse(fromEnv.stdout) as { name: string }[]).map((t) => t.name)).toEqual(["from-file"]);
    const flagWins = await rolebridge(["token", "list", "--json", "--config", config, "--data-dir", other]);
    expect(JSON.parse(flagWins.stdout)).toEqual([]);
  });

  it("refuses a missing config file with one line", async () => {
    const r = await rolebridge(["token", "list", "--config", "/nonexistent/rolebridge.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rolebridge: cannot read config file \/nonexistent\/rolebridge.json: ENOENT[^\n]*\n$/);
  });
});

describe("rolebridge users and groups", () => {
  let dir: string;
  beforeAll(() => {
    dir = dataDir();
  });

  it("creates a user and lists it as JSON", async () => {
    const created = await rolebridge([
      "users",
      "create",
      "--data-dir",
      dir,
      "--login",
      "ann@example.com",
      "--email",
      "ann@example.com",
      "--first-name",
      "Ann",
    ]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const listed = await rolebridge(["users", "list", "--data-dir", dir, "--json"]);
    const page = JSON.parse(listed.stdout) as { items: { profile: { login: string; firstName: string } }[] };
    expect(page.items.map((u) => u.profile)).toEqual([
      expect.objectContaining({ login: "ann@example.com", firstName: "Ann" }),
    ]);
  });

  it("adds a member and lists the user's groups", async () => {
    expect((await rolebridge(["groups", "create", "--data-dir", dir, "--name", "eng"])).code).toBe(0);
    const added = await rolebridge(["groups", "add-member", "--data-dir", dir, "eng", "ann@example.com"]);
    expect(added).toMatchObject({ code: 0, stdout: "Added ann@example.com to eng.\n" });
    const groups = await rolebridge(["users", "groups", "--data-dir", dir, "ann@example.com", "--json"]);
    expect((JSON.parse(groups.stdout) as { name: string }[]).map((g) => g.name)).toEqual(["eng"]);
  });

  it("fails with one line on stderr and an exit code per kind of failure, passing the domain's message through", async () => {
    const missing = await rolebridge(["users", "get", "--data-dir", dir, "nobody@example.com"]);
    expect(missing).toEqual({ code: 3, stdout: "", stderr: 'rolebridge: user "nobody@example.com" does not exist\n' });
    const invalid = await rolebridge(["users", "create", "--data-dir", dir, "--login", "x", "--email", "nope"]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toBe(
      'rolebridge: the user profile is invalid: /profile/email "nope" is not a valid email address\n',
    );
    const illegal = await rolebridge(["users", "delete", "--data-dir", dir, "ann@example.com"]);
    expect(illegal.code).toBe(4);
    expect(illegal.stderr).toBe("rolebridge: deactivate the user before deleting (status is ACTIVE)\n");
  });

  it("prints {code, message, details} on stderr for a failure under --json", async () => {
    const missing = await rolebridge(["users", "get", "--data-dir", dir, "nobody@example.com", "--json"]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe("");
    expect(JSON.parse(missing.stderr)).toEqual({
      code: "not_found",
      message: 'user "nobody@example.com" does not exist',
      details: expect.any(Object),
    });
    const invalid = await rolebridge([
      "users",
      "create",
      "--data-dir",
      dir,
      "--login",
      "x",
      "--email",
      "nope",
      "--json",
    ]);
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stderr)).toMatchObject({
      code: "validation_failed",
      details: { errors: [{ path: "/profile/email" }] },
    });
  });

  it("exits 2 with one line for usage errors", async () => {
    const unknown = await rolebridge(["users", "list", "--bogus"]);
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: "rolebridge: unknown option '--bogus' (see --help)\n" });
    const missing = await rolebridge(["token", "create", "--data-dir", dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("creates an administrator with the password from stdin", async () => {
    const r = await rolebridge(
      ["admin", "create", "--data-dir", dir, "--login", "root@example.com", "--password-stdin"],
      {
        stdin: "correct horse battery\n",
      },
    );
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const log = await rolebridge(["log", "--data-dir", dir, "--action", "user.account.privilege.grant", "--json"]);
    expect((JSON.parse(log.stdout) as { target: { display: string } }[])[0]?.target.display).toBe("root@example.com");
  });
});

describe("rolebridge import", () => {
  it("imports three files in one transaction and reports bad rows with their lines, writing nothing", async () => {
    const dir = dataDir();
    const users = join(dir, "users.csv");
    const groups = join(dir, "groups.csv");
    const memberships = join(dir, "memberships.csv");
    writeFileSync(users, "login,email\nann@example.com,ann@example.com\nbob@example.com,bob@example\n");
    writeFileSync(groups, "name\neng\n");
    writeFileSync(memberships, "group,user\neng,ann@example.com\neng,bob@example.com\n");
    const files = ["--users", users, "--groups", groups, "--memberships", memberships];

    const refused = await rolebridge(["import", "--data-dir", dir, ...files]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split("\n")).toEqual([
      `${users}:3: email: "bob@example" is not a valid email address`,
      `${memberships}:3: user: user "bob@example.com" is not imported: its row ${users}:3 has errors`,
      "rolebridge: import refused: 2 problems; nothing was written (--partial keeps the good rows)",
      "",
    ]);
    const none = await rolebridge(["users", "list", "--data-dir", dir, "--json"]);
    expect(JSON.parse(none.stdout).items).toEqual([]);

    const partial = await rolebridge(["import", "--data-dir", dir, ...files, "--partial", "--json"]);
    expect(partial.code).toBe(0);
    const report = JSON.parse(partial.stdout) as { committed: boolean; memberships: { written: number } };
    expect(report).toMatchObject({ committed: true, memberships: { written: 1 } });
    const members = await rolebridge(["groups", "members", "--data-dir", dir, "eng", "--json"]);
    expect((JSON.parse(members.stdout).items as { profile: { login: string } }[]).map((u) => u.profile.login)).toEqual([
      "ann@example.com",
    ]);
  });
});

describe.concurrent("--help", () => {
  const commands = [
    [],
    ["serve"],
    ["admin", "create"],
    ["token", "create"],
    ["token", "list"],
    ["token", "revoke"],
    ...[
      "list",
      "get",
      "create",
      "update",
      "activate",
      "suspend",
      "unsuspend",
      "deactivate",
      "delete",
      "set-password",
      "groups",
      "import",
    ].map((c) => ["users", c]),
    ...["list", "get", "create", "delete", "members", "add-member", "remove-member", "import"].map((c) => [
      "groups",
      c,
    ]),
    ["import"],
    ["log"],
  ];
  it.each(commands.map((c) => [c.join(" ") || "(top level)", c]))("works for %s", async (_name, args) => {
    const r = await rolebridge([...(args as string[]), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: rolebridge ${(args as string[]).join(" ")}`.trimEnd());
    if ((args as string[]).length) expect(r.stdout).toMatch(/--json|--data-dir/);
  });
});
