import { readFileSync } from "node:fs";
import { Value } from "@sinclair/typebox/value";
import { type Config, ConfigSchema, ENV_KEYS } from "./schema.js";

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface LoadOptions {
  /** Path of an optional JSON config file (also ROLEBRIDGE_CONFIG). */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags win over everything else. */
  overrides?: Partial<Config>;
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (key === "port" || key === "drainSeconds") out[key] = Number(raw);
    else if (key === "trustProxy") out[key] = raw === "true" || raw === "1";
    else out[key] = raw;
  }
  if (out.env === undefined && env.NODE_ENV === "production") out.env = "production";
  return out;
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Defaults < config file < environment < flags; then validated, then checked for production safety. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.ROLEBRIDGE_CONFIG;
  const merged: Record<string, unknown> = {
    ...(file ? readFile(file) : {}),
    ...fromEnv(env),
    ...Object.fromEntries(Object.entries(opts.overrides ?? {}).filter(([, v]) => v !== undefined)),
  };
  const withDefaults = Value.Default(ConfigSchema, merged);
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length) {
    const e = errors[0]!;
    throw new ConfigError(`invalid configuration at ${e.path || "/"}: ${e.message}`);
  }
  const config = withDefaults as Config;
  assertSafeForProduction(config);
  return config;
}

export function publicUrlOf(config: Config): string {
  return (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, "");
}

/** Production refuses settings that would leak sessions or secrets, with the fix in the message. */
export function assertSafeForProduction(config: Config): void {
  if (config.env !== "production") return;
  if (!config.publicUrl?.startsWith("https://")) {
    throw new ConfigError(
      "production mode needs ROLEBRIDGE_PUBLIC_URL to be an https:// URL (session cookies and SAML must not travel over plain http)",
    );
  }
  if (!config.masterKey && !config.masterKeyFile) {
    throw new ConfigError(
      "production mode needs a master key: set ROLEBRIDGE_MASTER_KEY (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) or ROLEBRIDGE_MASTER_KEY_FILE",
    );
  }
}
