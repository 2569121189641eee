import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine, printTable } from "../output.js";

/** Administrators: a person's command-line sign-ins (`rolebridge aws login`), listed and ended. */
export function registerCliSessionCommands(program: Command): void {
  const sessions = program
    .command("cli-sessions")
    .description("People's command-line sign-ins for AWS credentials (rolebridge aws login)");

  withCommonOptions(
    sessions
      .command("list")
      .description("A person's command-line sign-ins (never their tokens)")
      .requiredOption("--user <login>", "login or user id"),
  ).action((opts: CommonOptions & { user: string }) =>
    withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.get(opts.user);
      const list = await rt.deviceAuth.listForUser(user.id);
      if (opts.json) return printJson(list);
      const now = rt.clock.now().getTime();
      const state = (s: (typeof list)[number]) =>
        s.revokedAt ? "revoked" : Date.parse(s.sessionExpiresAt) <= now ? "ended" : "active";
      printTable(
        ["ID", "STATE", "CREATED", "LAST USED", "ENDS"],
        list.map((s) => [s.id, state(s), s.created, s.lastUsed, s.sessionExpiresAt]),
      );
    }),
  );

  withCommonOptions(
    sessions
      .command("revoke")
      .description("End a person's command-line sign-ins (all, or one with --id); cached AWS keys run out on their own")
      .requiredOption("--user <login>", "login or user id")
      .option("--id <session>", "only this sign-in (cls_…)"),
  ).action((opts: CommonOptions & { user: string; id?: string }) =>
    withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.get(opts.user);
      const revoked = await rt.deviceAuth.revokeForUser(cliActor(), user.id, opts.id);
      if (opts.json) return printJson({ revoked });
      printLine(`Ended ${revoked} command-line sign-in(s) of ${user.profile.login}.`);
    }),
  );
}
