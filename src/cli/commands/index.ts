import type { Command } from "commander";
import { registerSandboxCommand } from "./sandbox.js";

/** Each command lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  registerSandboxCommand(program);
}
