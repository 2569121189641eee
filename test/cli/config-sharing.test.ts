import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertDataDirExists } from "../../src/cli/context.js";
import { loadConfig } from "../../src/config/load.js";
import { rolebridge, serve, tempDir } from "./run.js";

describe("commands and the running server share the data directory's configuration", () => {
  it("a command on a data directory that does not exist stops and creates nothing, unless --init", async () => {
    const missing = join(tempDir(), "not-yet");
    const write = await rolebridge([
      "users",
      "create",
      "--login",
      "ann@example.com",
      "--email",
      "ann@example.com",
      "--data-dir",
      missing,
    ]);
    expect(write.code).toBe(2);
    expect(write.stderr).toBe(
      `rolebridge: no rolebridge data directory at ${missing}, and nothing was created: point commands at the server's data with --data-dir <dir> or ROLEBRIDGE_DATA_DIR, or add --init to create a new data directory there\n`,
    );
    const read = await rolebridge(["users", "list", "--json"], { env: { ROLEBRIDGE_DATA_DIR: missing } });
    expect([read.code, read.stdout]).toEqual([2, ""]);
    expect(existsSync(missing)).toBe(false);

    const init = await rolebridge([
      "users",
      "create",
      "--login",
      "ann@example.com",
      "--email",
      "ann@example.com",
      "--data-dir",
      missing,
      "--init",
    ]);
    expect(init.code).toBe(0);
    const listed = await rolebridge(["users", "list", "--data-dir", missing, "--json"]);
    expect((JSON.parse(listed.stdout) as { items: unknown[] }).items).toHaveLength(1);
    // No server ever ran on this data: the entityID's base is a guess, and the command says so.
    const app = await rolebridge(["apps", "create", "--slug", "aws-early", "--label", "AWS", "--data-dir", missing]);
    expect(app.code).toBe(0);
    expect(app.stderr).toContain("no server has run on this data yet and ROLEBRIDGE_PUBLIC_URL is not set");
  });

  it("with PostgreSQL, a missing directory matters only when it would hold the master key", () => {
    const missing = join(tempDir(), "not-yet");
    const postgres = { dataDir: missing, databaseUrl: "postgres://127.0.0.1/rolebridge" };
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(() =>
      assertDataDirExists(loadConfig({ env: {}, overrides: { ...postgres, masterKey: key } }), false),
    ).not.toThrow();
    expect(() => assertDataDirExists(loadConfig({ env: {}, overrides: postgres }), false)).toThrow(
      /no rolebridge data directory/,
    );
    expect(() => assertDataDirExists(loadConfig({ env: {}, overrides: postgres }), true)).not.toThrow();
    expect(existsSync(missing)).toBe(false);
  });

  describe("with a server running on its own port", () => {
    const dir = join(tempDir(), "data");
    const server = serve(["--port", "0", "--data-dir", dir, "--json"]);
    afterAll(async () => {
      server.child.kill("SIGINT");
      await server.exited;
    });

    it("apps created at the terminal get the server's public URL, and printed URLs answer", async () => {
      const url = await server.url;
      expect(url).not.toBe("http://127.0.0.1:8080");
      const created = await rolebridge(["apps", "create", "--slug", "aws-cli", "--label", "AWS", "--data-dir", dir]);
      expect([created.code, created.stderr]).toEqual([0, ""]);
      const printed = /IdP metadata for AWS: (\S+)/.exec(created.stdout)?.[1];
      expect(printed).toBe(`${url}/app/aws-cli/saml/metadata`);
      const served = await fetch(printed!);
      expect(served.status).toBe(200);
      const metadata = await rolebridge(["saml", "metadata", "--app", "aws-cli", "--data-dir", dir]);
      expect(/entityID="([^"]+)"/.exec(metadata.stdout)?.[1]).toBe(`${url}/app/aws-cli/saml/metadata`);
      expect(/entityID="([^"]+)"/.exec(await served.text())?.[1]).toBe(`${url}/app/aws-cli/saml/metadata`);
    });

    it("a public URL configured for the command still wins over the recorded one", async () => {
      await server.url;
      const r = await rolebridge(["apps", "create", "--slug", "aws-env", "--label", "AWS", "--data-dir", dir], {
        env: { ROLEBRIDGE_PUBLIC_URL: "https://idp.example.com" },
      });
      expect(r.stdout).toContain("IdP metadata for AWS: https://idp.example.com/app/aws-env/saml/metadata");
    });
  });
});

describe("usage errors", () => {
  it("report a mistyped flag before the required option it hides, with the flag meant", async () => {
    const dir = tempDir();
    const typo = await rolebridge(["users", "create", "--login", "x@example.com", "--emial", "x@example.com"], {
      env: { ROLEBRIDGE_DATA_DIR: dir },
    });
    expect([typo.code, typo.stderr]).toEqual([
      2,
      "rolebridge: unknown option '--emial' (did you mean --email?) (see --help)\n",
    ]);
    const far = await rolebridge(["users", "list", "--zzzz", "--data-dir", dir]);
    expect([far.code, far.stderr]).toEqual([2, "rolebridge: unknown option '--zzzz' (see --help)\n"]);
    const known = await rolebridge(["users", "create", "--login", "x@example.com", "--data-dir", dir]);
    expect(known.stderr).toContain("required option '--email <email>' not specified");
  });
});
