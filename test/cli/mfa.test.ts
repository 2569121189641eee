import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { currentTotpCode } from "../../src/core/access/totp.js";
import { lastLine, rolebridge, tempDir } from "./run.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rolebridge mfa", () => {
  it("enrolls a TOTP factor, printing the secret once, and removes it", async () => {
    await rolebridge([
      "users",
      "create",
      "--data-dir",
      dir,
      "--login",
      "mfa@example.com",
      "--email",
      "mfa@example.com",
    ]);
    const enrolled = await rolebridge(["mfa", "enroll", "--data-dir", dir, "--user", "mfa@example.com"]);
    expect(enrolled.code).toBe(0);
    const secret = lastLine(enrolled.stdout);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolled.stdout).toContain("otpauth://totp/rolebridge:mfa%40example.com?");
    expect(currentTotpCode(secret, new Date())).toMatch(/^\d{6}$/);
    const log = await rolebridge(["log", "--data-dir", dir, "--json"]);
    expect(log.stdout).toContain("user.mfa.factor.activate");
    expect(log.stdout).not.toContain(secret);
    const removed = await rolebridge(["mfa", "remove", "--data-dir", dir, "--user", "mfa@example.com"]);
    expect(removed.code).toBe(0);
    const missing = await rolebridge(["mfa", "enroll", "--data-dir", dir, "--user", "nobody@example.com"]);
    expect([missing.code, missing.stderr]).toEqual([3, 'rolebridge: user "nobody@example.com" does not exist\n']);
  });
});
