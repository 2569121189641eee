import type { Command } from "commander";
import { registerAdminCommands } from "./admin.js";
import { registerAppCommands } from "./apps.js";
import { registerAwsCommands } from "./aws.js";
import { registerCliSessionCommands } from "./cli-sessions.js";
import { registerGroupCommands } from "./groups.js";
import { registerImportCommand } from "./import.js";
import { registerLogCommand } from "./log.js";
import { registerMfaCommands } from "./mfa.js";
import { registerMigrateCommands } from "./migrate.js";
import { policyCommand } from "./migrate-policy.js";
import { migrateSamlCommand } from "./migrate-saml.js";
import { registerProvisioningCommands } from "./provisioning.js";
import { registerSamlCommands } from "./saml.js";
import { registerSandboxCommand } from "./sandbox.js";
import { registerServeCommand } from "./serve.js";
import { registerSourceCommands } from "./sources.js";
import { registerTokenCommands } from "./token.js";
import { registerUserCommands } from "./users.js";

/** Each command lives in its own file and registers itself here. */
export function registerCommands(program: Command): void {
  registerServeCommand(program);
  registerAdminCommands(program);
  registerTokenCommands(program);
  registerUserCommands(program);
  registerGroupCommands(program);
  registerImportCommand(program);
  registerLogCommand(program);
  registerAppCommands(program);
  registerSamlCommands(program);
  registerMfaCommands(program);
  registerProvisioningCommands(program);
  registerSourceCommands(program);
  registerSandboxCommand(program);
  registerMigrateCommands(program).addCommand(policyCommand()).addCommand(migrateSamlCommand());
  registerAwsCommands(program);
  registerCliSessionCommands(program);
}
