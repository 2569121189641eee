/**
 * The command-line user's own files: where they live, the key that encrypts them, and AES-256-GCM sealing.
 * Only node built-ins are imported here: the cached `credentials` path loads this module and nothing heavy.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** `$XDG_CACHE_HOME/rolebridge/cli` when set, else `~/.rolebridge/cli`; created 0700 on first write. */
export function cliDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CACHE_HOME
    ? join(env.XDG_CACHE_HOME, "rolebridge", "cli")
    : join(env.HOME || homedir(), ".rolebridge", "cli");
}

export interface CliConfig {
  url?: string;
  stsEndpoint?: string;
  region?: string;
}

export const configPath = (dir: string) => join(dir, "config.json");
export const keyPath = (dir: string) => join(dir, "key");
export const sessionPath = (dir: string, url: string) => join(dir, `session-${digest(url).slice(0, 16)}.enc`);
export const credentialsPath = (dir: string, parts: readonly string[]) =>
  join(dir, "credentials", `${digest(JSON.stringify(parts)).slice(0, 32)}.enc`);

export const digest = (s: string) => createHash("sha256").update(s).digest("hex");

export function readConfig(dir: string): CliConfig {
  try {
    return JSON.parse(readFileSync(configPath(dir), "utf8")) as CliConfig;
  } catch {
    return {};
  }
}

/** Written to a temporary file created 0600, then renamed: never a moment where it is readable by others. */
export function writePrivateFile(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true, recursive: true });
}

/**
 * The encryption key: 32 random bytes in a 0600 file beside the cache. (No OS keyring is used: see
 * docs/cli-credentials.md.) `create` is false on the read-only cached path: no key means no cache.
 */
export function cacheKey(dir: string, create: boolean): Buffer | null {
  try {
    const key = readFileSync(keyPath(dir));
    if (key.length === 32) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (!create) return null;
  writePrivateFile(keyPath(dir), randomBytes(32));
  return readFileSync(keyPath(dir));
}

const VERSION = 1;

/** version (1) | iv (12) | tag (16) | ciphertext; `purpose` is bound as associated data so files cannot be swapped. */
export function seal(key: Buffer, purpose: string, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** The sealed value, or null when the file is missing, from another key, tampered with or unreadable. */
export function openSealed<T>(key: Buffer, purpose: string, path: string): T | null {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return null;
  }
  if (data.length < 29 || data[0] !== VERSION) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, data.subarray(1, 13));
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(data.subarray(13, 29));
    const text = Buffer.concat([decipher.update(data.subarray(29)), decipher.final()]).toString("utf8");
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
