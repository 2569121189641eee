import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError } from "commander";
import pino from "pino";
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import type { Runtime } from "../runtime.js";
import { CliError } from "./output.js";

/** Flags every command accepts. */
export interface CommonOptions {
  dataDir?: string;
  config?: string;
  json?: boolean;
  init?: boolean;
}

export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "data directory (SQLite file, master key); default ROLEBRIDGE_DATA_DIR or .rolebridge")
    .option("--config <file>", "JSON config file (also ROLEBRIDGE_CONFIG)")
    .option("--json", "print machine-readable JSON")
    .option("--init", "create the data directory if it does not exist yet (commands never create one unasked)");
}

/**
 * A command run in the wrong directory used to create a fresh, empty data directory and report success against
 * it. Only `serve` creates one on its own; every other command stops unless asked (--init). PostgreSQL keeps its
 * data elsewhere, but a missing directory would still mean a new master key, so it is checked then too.
 */
export function assertDataDirExists(config: Config, init: boolean): void {
  if (init || existsSync(config.dataDir)) return;
  if (config.databaseUrl && (config.masterKey || config.masterKeyFile)) return;
  throw new CliError(
    `no rolebridge data directory at ${config.dataDir}, and nothing was created: point commands at the server's ` +
      "data with --data-dir <dir> or ROLEBRIDGE_DATA_DIR, or add --init to create a new data directory there",
  );
}

const guessedPublicUrl = new WeakSet<Runtime>();

/** True when neither the configuration nor a server that ran on this store said where people reach rolebridge. */
export const publicUrlIsGuessed = (rt: Runtime): boolean => guessedPublicUrl.has(rt);

/** Flags < env < file, as loadConfig layers them; flags given on the command line win. */
export function configFrom(opts: CommonOptions, overrides: Partial<Config> = {}): Config {
  return loadConfig({ file: opts.config, overrides: { dataDir: opts.dataDir, ...overrides } });
}

/**
 * Opens the runtime for one command and always closes it, even when the command fails. Commands
 * other than `serve` log warnings only, to stderr, so stdout stays the command's output.
 */
export async function withRuntime<T>(
  opts: CommonOptions,
  fn: (rt: Runtime) => Promise<T>,
  overrides: Partial<Config> = {},
): Promise<T> {
  const config = configFrom(opts, overrides);
  assertDataDirExists(config, opts.init === true);
  // The storage and service stack loads once a command runs, so `--help` and usage errors answer at once.
  const { createLogger, openRuntime } = await import("../runtime.js");
  const logger = createLogger({ logLevel: "warn" }, pino.destination(2));
  const rt = await openRuntime(config, { logger });
  try {
    // Without a configured public URL, use the one the server recorded at its start: entityIDs fixed at app
    // creation and the metadata URLs printed must be the running server's, not the default 127.0.0.1:8080.
    if (!config.publicUrl) {
      const recorded = await rt.store.serverInfo.latest();
      if (recorded) rt.publicUrl = recorded.publicUrl;
      else guessedPublicUrl.add(rt);
    }
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** Parses a positive whole number flag, or refuses with a usage error (exit 2). */
export function positiveInt(max = 1_000_000) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

/** Reads all of stdin, without the trailing newline: for --password-stdin. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}
