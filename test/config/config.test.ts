import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { resolveMasterKey } from "../../src/config/master-key.js";

describe("configuration", () => {
  it("has embedded defaults", () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ env: "development", dataDir: ".rolebridge", host: "127.0.0.1", port: 8080 });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.security.loginMaxAttempts).toBe(5);
  });

  it("layers file < env < flags", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ port: 1111, host: "0.0.0.0", logLevel: "warn" }));
    const c = loadConfig({ file, env: { ROLEBRIDGE_PORT: "2222" }, overrides: { host: "127.0.0.2" } });
    expect([c.port, c.host, c.logLevel]).toEqual([2222, "127.0.0.2", "warn"]);
  });

  it("reads the drain time behind a load balancer from ROLEBRIDGE_DRAIN_SECONDS (none by default)", () => {
    expect(loadConfig({ env: {} }).drainSeconds).toBe(0);
    expect(loadConfig({ env: { ROLEBRIDGE_DRAIN_SECONDS: "2.5" } }).drainSeconds).toBe(2.5);
    expect(() => loadConfig({ env: { ROLEBRIDGE_DRAIN_SECONDS: "-1" } })).toThrow(/drainSeconds/);
    expect(() => loadConfig({ env: { ROLEBRIDGE_DRAIN_SECONDS: "soon" } })).toThrow(/drainSeconds/);
  });

  it("refuses unknown keys and bad values with the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-cfg-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { DATABASE_URL: "mysql://x" } })).toThrow(/databaseUrl/);
    writeFileSync(file, "{not json");
    expect(() => loadConfig({ file, env: {} })).toThrow(/not valid JSON/);
  });

  it("refuses insecure production settings with a clear message", () => {
    expect(() => loadConfig({ env: { ROLEBRIDGE_ENV: "production" } })).toThrow(/https:\/\//);
    expect(() =>
      loadConfig({ env: { NODE_ENV: "production", ROLEBRIDGE_PUBLIC_URL: "https://idp.example.com" } }),
    ).toThrow(/master key/);
    const key = Buffer.alloc(32, 7).toString("base64");
    const ok = loadConfig({
      env: {
        ROLEBRIDGE_ENV: "production",
        ROLEBRIDGE_PUBLIC_URL: "https://idp.example.com",
        ROLEBRIDGE_MASTER_KEY: key,
      },
    });
    expect(ok.env).toBe("production");
  });

  it("generates a master key once into the data dir, private to the owner", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "rb-key-"));
    const c = loadConfig({ env: {}, overrides: { dataDir } });
    const k1 = resolveMasterKey(c);
    const k2 = resolveMasterKey(c);
    expect(k1.equals(k2)).toBe(true);
    expect(k1.length).toBe(32);
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(join(dataDir, "master.key"), "utf8").trim(), "base64").equals(k1)).toBe(true);
  });

  it("refuses a master key of the wrong size", () => {
    const c = loadConfig({ env: { ROLEBRIDGE_MASTER_KEY: Buffer.alloc(16).toString("base64").padEnd(44, "A") } });
    expect(() => resolveMasterKey(c)).toThrow(/32 bytes/);
  });
});
