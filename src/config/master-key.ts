import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./load.js";
import { ensurePrivateDir } from "./private-files.js";
import type { Config } from "./schema.js";

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== 32) throw new ConfigError(`the master key in ${where} must be base64 of exactly 32 bytes`);
  return key;
}

/**
 * The master key seals secrets at rest. Given explicitly (env or file) it is used as is; in development
 * without one, a key is generated once into <dataDir>/master.key (mode 0600) and reused after.
 */
export function resolveMasterKey(config: Config): Buffer {
  if (config.masterKey) return decode(config.masterKey, "ROLEBRIDGE_MASTER_KEY");
  if (config.masterKeyFile) {
    try {
      return decode(readFileSync(config.masterKeyFile, "utf8"), config.masterKeyFile);
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new ConfigError(`cannot read master key file ${config.masterKeyFile}: ${(err as Error).message}`);
    }
  }
  const path = join(config.dataDir, "master.key");
  if (existsSync(path)) return decode(readFileSync(path, "utf8"), path);
  ensurePrivateDir(config.dataDir);
  const key = randomBytes(32);
  // `wx` fails if another process created the file first; then we read theirs.
  try {
    writeFileSync(path, `${key.toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    chmodSync(path, 0o600);
    return key;
  } catch {
    return decode(readFileSync(path, "utf8"), path);
  }
}
