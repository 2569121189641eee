import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../../src/core/crypto/passwords.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";

describe("secret sealing", () => {
  const box = new SecretBox(randomBytes(32));
  it("round-trips and never contains the plaintext", () => {
    const sealed = box.seal("AKIA-secret-value", "app:1:aws-secret");
    expect(sealed).not.toContain("secret-value");
    expect(box.open(sealed, "app:1:aws-secret")).toBe("AKIA-secret-value");
  });
  it("refuses a value moved to another context, a tampered value, or another key", () => {
    const sealed = box.seal("x", "a");
    expect(() => box.open(sealed, "b")).toThrow(/wrong key or tampered/);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("y").toString("base64url");
    expect(() => box.open(parts.join("."), "a")).toThrow(/tampered/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, "a")).toThrow(/wrong key/);
  });
});

describe("argon2id passwords", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h.startsWith("$argon2id$")).toBe(true);
    expect(await verifyPassword(h, "correct horse battery")).toBe(true);
    expect(await verifyPassword(h, "wrong")).toBe(false);
    expect(await verifyPassword(null, "anything")).toBe(false);
  });
});
