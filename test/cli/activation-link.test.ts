import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { rolebridge, tempDir } from "./run.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ROLEBRIDGE_PUBLIC_URL: "https://idp.example.test" };
const run = (args: string[]) => rolebridge([...args, "--data-dir", dir], { env });
const LINK = /^https:\/\/idp\.example\.test\/activate\/([A-Za-z0-9_-]{43})\n$/;

/** Issue 16 item 4 from the command line: the link alone on stdout (scripts capture it), the rest on stderr. */
describe("rolebridge users activation-link", () => {
  it("prints a one-time link on stdout, refuses a bad lifetime, and asks for --reset once a password is set", async () => {
    const created = await run(["users", "create", "--login", "gil@example.com", "--email", "gil@example.com"]);
    expect(created.code).toBe(0);
    const issued = await run(["users", "activation-link", "gil@example.com"]);
    expect(issued.code).toBe(0);
    expect(issued.stdout).toMatch(LINK);
    expect(issued.stderr).toMatch(/^One-time activation link for gil@example\.com, valid until \d{4}-\d\d-\d\dT/);

    const bad = await run(["users", "activation-link", "gil@example.com", "--expires", "90d"]);
    expect([bad.code, bad.stdout]).toEqual([2, ""]);
    expect(bad.stderr).toContain("a link lasts between 5m and 30d");

    const json = await run(["users", "activation-link", "gil@example.com", "--expires", "30m", "--json"]);
    const body = JSON.parse(json.stdout) as { url: string; expiresAt: string; purpose: string };
    expect(body.purpose).toBe("activation");
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect(body.url).not.toBe(issued.stdout.trim());

    expect((await run(["users", "set-password", "gil@example.com", "--password", "gil-long-password"])).code).toBe(0);
    const refused = await run(["users", "activation-link", "gil@example.com"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("already has a password: issue a reset link instead (--reset");
    const reset = await run(["users", "activation-link", "gil@example.com", "--reset"]);
    expect(reset.stdout).toMatch(LINK);
    expect(reset.stderr).toMatch(/^One-time reset link for gil@example\.com/);
    const log = await run(["log", "--json"]);
    expect(log.stdout).toContain("user.activation_link.issue");
    expect(log.stdout).not.toContain(LINK.exec(reset.stdout)?.[1] ?? "missing");
  }, 60_000);
});
