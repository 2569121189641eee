#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { reportCliError } from "./output.js";

const program = new Command("rolebridge")
  .description("Self-hosted identity provider for AWS")
  .version("0.1.0")
  .configureOutput({
    // Usage errors follow the same contract as every failure: one line on stderr.
    outputError: (text, write) => write(`rolebridge: ${text.replace(/^error: /, "").trim()} (see --help)\n`),
  })
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its message; --help and --version exit 0, usage errors 2.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    reportCliError(err);
  }
}
