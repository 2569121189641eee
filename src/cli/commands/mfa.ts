import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine } from "../output.js";

/** `rolebridge mfa enroll|remove`: the optional TOTP second factor for sign-in. */
export function registerMfaCommands(program: Command): void {
  const mfa = program.command("mfa").description("Optional second factor (TOTP authenticator apps) for sign-in");

  withCommonOptions(
    mfa
      .command("enroll")
      .description("Give a user a TOTP factor; prints the secret once, with an otpauth:// URI for a QR code")
      .requiredOption("--user <login>", "user login or id"),
  ).action((opts: CommonOptions & { user: string }) =>
    withRuntime(opts, async (rt) => {
      const { secret, uri } = await rt.totp.enroll(cliActor(), opts.user);
      if (opts.json) return printJson({ user: opts.user, secret, uri });
      printLine(`Enrolled ${opts.user}. From now on sign-in asks for a 6-digit code.`);
      printLine("Give this to the user once (scan the URI as a QR code, or type the secret):");
      printLine(uri);
      printLine(secret);
    }),
  );

  withCommonOptions(
    mfa
      .command("remove")
      .description("Remove a user's TOTP factor")
      .requiredOption("--user <login>", "user login or id"),
  ).action((opts: CommonOptions & { user: string }) =>
    withRuntime(opts, async (rt) => {
      await rt.totp.remove(cliActor(), opts.user);
      if (opts.json) return printJson({ user: opts.user, removed: true });
      printLine(`Removed the TOTP factor of ${opts.user}.`);
    }),
  );
}
