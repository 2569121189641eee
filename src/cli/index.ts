#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { reportCliError } from "./output.js";

const program = new Command("rolebridge")
  .description("Self-hosted identity provider for AWS")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander already printed its message (or help/version, which exit 0).
    process.exitCode = err.exitCode;
  } else {
    reportCliError(err);
  }
}
