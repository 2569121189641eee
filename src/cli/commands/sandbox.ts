import type { Command } from "commander";

export function registerSandboxCommand(program: Command): void {
  program
    .command("sandbox")
    .description("Serve the local AWS sandbox (IAM, STS, Organizations, sign-in) on loopback")
    .action(() => {
      throw new Error("sandbox is being built (issue 3)");
    });
}
