import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { cliActor } from "../../src/core/audit.js";
import { seedDemo } from "../../src/demo/seed.js";
import { openRuntime } from "../../src/runtime.js";
import { rolebridge, tempDir } from "./run.js";

const dir = tempDir();
const run = (args: string[]) => rolebridge([...args, "--data-dir", dir]);

/** Administrators list and end people's command-line sign-ins from the admin CLI. */
describe("rolebridge cli-sessions", () => {
  beforeAll(async () => {
    const rt = await openRuntime(loadConfig({ env: {}, overrides: { dataDir: dir, logLevel: "silent" } }));
    try {
      await seedDemo(rt, cliActor());
      const alice = await rt.directory.users.get("alice@example.com");
      for (let i = 0; i < 2; i++) {
        const started = await rt.deviceAuth.startAuthorization({ clientId: "rolebridge-cli" }, "http://x/device");
        await rt.deviceAuth.decide(alice, started.user_code, true);
        await rt.deviceAuth.pollToken({ clientId: "rolebridge-cli", deviceCode: started.device_code });
      }
    } finally {
      await rt.close();
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("lists a person's sign-ins, ends one, then the rest, and refuses to end one twice", async () => {
    const listed = JSON.parse(
      (await run(["cli-sessions", "list", "--user", "alice@example.com", "--json"])).stdout,
    ) as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(listed.map((s) => s.revokedAt)).toEqual([null, null]);
    const one = await run(["cli-sessions", "revoke", "--user", "alice@example.com", "--id", listed[0]!.id]);
    expect(one.stdout).toBe("Ended 1 command-line sign-in(s) of alice@example.com.\n");
    const again = await run(["cli-sessions", "revoke", "--user", "alice@example.com", "--id", listed[0]!.id]);
    expect([again.code, again.stderr]).toEqual([4, `rolebridge: CLI session ${listed[0]!.id} is already revoked\n`]);
    expect((await run(["cli-sessions", "revoke", "--user", "alice@example.com"])).stdout).toContain("Ended 1 ");
    const table = await run(["cli-sessions", "list", "--user", "alice@example.com"]);
    expect(table.stdout.split("\n").filter((l) => l.includes("revoked"))).toHaveLength(2);
    const log = await run(["log", "--json"]);
    expect(log.stdout).toContain("user.cli_session.revoke");
  });

  it("answers `aws --help` and usage errors without a server", async () => {
    const help = await rolebridge(["aws", "--help"]);
    expect(help.stdout).toContain("credentials");
    const missing = await rolebridge(["aws", "credentials", "--url", "http://127.0.0.1:9"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--role");
  });
});
