#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { EXIT } from "../core/errors.js";
import { registerCommands } from "./commands/index.js";
import { reportCliError } from "./output.js";
import { reportUnknownOptionsFirst } from "./unknown-options.js";

const program = new Command("rolebridge")
  .description("Self-hosted identity provider for AWS")
  .version("0.1.0")
  .configureOutput({
    // Usage errors follow the same contract as every failure: one line on stderr.
    outputError: (text, write) => write(`rolebridge: ${text.replace(/^error: /, "").trim()} (see --help)\n`),
  })
  .exitOverride();

registerCommands(program);
reportUnknownOptionsFirst(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its message; --help and --version exit 0, usage errors the table's usage exit.
    process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage;
  } else {
    // Options end at "--"; a failure of a command run with --json is reported as JSON too.
    const end = process.argv.indexOf("--");
    reportCliError(err, { json: process.argv.slice(2, end === -1 ? undefined : end).includes("--json") });
  }
}
