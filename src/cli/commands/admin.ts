import type { Command } from "commander";
import { ensureAdmin } from "../../core/access/admins.js";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, readStdin, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine } from "../output.js";

interface AdminCreateOptions extends CommonOptions {
  login: string;
  email?: string;
  password?: string;
  passwordStdin?: boolean;
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command("admin").description("Administrators of the admin console and API");

  withCommonOptions(
    admin
      .command("create")
      .description("Create an administrator, or reset the password and grant the role if the login exists")
      .requiredOption("--login <login>", "sign-in name, usually an email address")
      .option("--email <email>", "email address (default: the login when it is one)")
      .option("--password <password>", "password (visible in shell history; prefer --password-stdin)")
      .option("--password-stdin", "read the password from standard input"),
  ).action(async (opts: AdminCreateOptions) => {
    if (opts.password !== undefined && opts.passwordStdin) {
      throw new CliError("give either --password or --password-stdin, not both");
    }
    const password = opts.passwordStdin ? await readStdin() : opts.password;
    if (password === undefined) throw new CliError("a password is required: --password-stdin or --password");
    await withRuntime(opts, async (rt) => {
      const { user, created } = await ensureAdmin(rt.store, rt.directory.users, cliActor(), {
        login: opts.login,
        email: opts.email,
        password,
      });
      if (opts.json) return printJson({ user, created });
      printLine(`${created ? "Created" : "Updated"} administrator ${user.profile.login} (${user.id}).`);
    });
  });
}
