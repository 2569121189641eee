import { describe, expect, it } from "vitest";
import {
  isValidSessionName,
  SESSION_NAME_PATTERN,
  sanitizeRoleSessionName,
  sanitizeSourceIdentity,
} from "../../../src/core/saml/index.js";

describe("sanitizeRoleSessionName", () => {
  it("keeps a valid login or email exactly", () => {
    for (const login of ["alice", "alice@example.com", "a.b+c=d,e_f-g", "x".repeat(64), "ab"]) {
      expect(sanitizeRoleSessionName(login)).toBe(login);
    }
  });

  it.each([
    "Alice Smith",
    "José Müller",
    "Straße.Øre",
    'x<&"-->y',
    "   ",
    "",
    "a",
    "😀😀😀",
    "用户@例子.广告",
    "x".repeat(200),
    `${"ü".repeat(100)}@example.com`,
    "-leading-and-trailing-",
    "tab\there\nnewline\r",
  ])("turns %j into a valid 2-64 char name", (login) => {
    const name = sanitizeRoleSessionName(login);
    expect(name).toMatch(SESSION_NAME_PATTERN);
    expect(isValidSessionName(name)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(sanitizeRoleSessionName(login)).toBe(name); // deterministic
  });

  it("transliterates what it can and marks lossy names with a hash of the original", () => {
    expect(sanitizeRoleSessionName("José Müller")).toMatch(/^Jose-Muller-[0-9a-f]{8}$/);
    expect(sanitizeRoleSessionName("Straße")).toMatch(/^Strasse-[0-9a-f]{8}$/);
    expect(sanitizeRoleSessionName('x<&"-->y')).toMatch(/^x-y-[0-9a-f]{8}$/);
    expect(sanitizeRoleSessionName("a")).toMatch(/^a-[0-9a-f]{8}$/);
    expect(sanitizeRoleSessionName("😀")).toMatch(/^user-[0-9a-f]{8}$/);
  });

  it("keeps logins that degrade to the same text apart", () => {
    const names = ["jo sé", "jo-sé", "jo<sé", "jo>sé", "josé", "jo se"].map(sanitizeRoleSessionName);
    expect(new Set(names).size).toBe(names.length);
    const long = sanitizeRoleSessionName(`${"a".repeat(100)}1`);
    const long2 = sanitizeRoleSessionName(`${"a".repeat(100)}2`);
    expect(long).not.toBe(long2);
    expect(long).toHaveLength(64);
  });

  it("applies the same rule to SourceIdentity, which can never start with aws:", () => {
    expect(sanitizeSourceIdentity("aws:admin")).toMatch(/^aws-admin-[0-9a-f]{8}$/);
    expect(sanitizeSourceIdentity("alice")).toBe("alice");
  });
});
