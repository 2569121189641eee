import { type Command, InvalidArgumentError } from "commander";
import { parseLinkTtl } from "../../core/access/activation.js";
import { cliActor } from "../../core/audit.js";
import type { LifecycleAction } from "../../core/directory/lifecycle.js";
import { USER_STATUSES, type User, type UserProfile, type UserStatus } from "../../core/directory/model.js";
import { type CommonOptions, positiveInt, readStdin, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";
import { printGroups } from "./groups.js";
import { runImport } from "./import.js";

const USER_ARG = "user id (usr_…) or login";

function printUsers(users: User[]): void {
  printTable(
    ["ID", "LOGIN", "EMAIL", "STATUS", "NAME"],
    users.map((u) => [u.id, u.profile.login, u.profile.email, u.status, u.profile.displayName]),
  );
}

function printUser(u: User): void {
  const p = u.profile;
  const name = [p.firstName, p.lastName].filter(Boolean).join(" ");
  printLine(`${u.profile.login} (${u.id})`);
  printLine(`  email:    ${p.email}`);
  printLine(`  name:     ${name || "-"}${p.displayName ? ` (shown as ${p.displayName})` : ""}`);
  printLine(`  status:   ${u.status} since ${u.statusChanged}`);
  printLine(`  created:  ${u.created}, last login ${u.lastLogin ?? "never"}`);
}

function status(value: string): UserStatus {
  const s = value.toUpperCase();
  if (!(USER_STATUSES as readonly string[]).includes(s))
    throw new InvalidArgumentError(`must be one of ${USER_STATUSES.join(", ")}`);
  return s as UserStatus;
}

/** --password-stdin, or --password; undefined when neither was given. */
async function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): Promise<string | undefined> {
  if (opts.password !== undefined && opts.passwordStdin) {
    throw new CliError("give either --password or --password-stdin, not both");
  }
  return opts.passwordStdin ? readStdin() : opts.password;
}

interface ProfileFlags {
  login?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  displayName?: string;
}

const profileOptions = (cmd: Command) =>
  cmd
    .option("--first-name <name>", "given name")
    .option("--last-name <name>", "family name")
    .option("--display-name <name>", "name shown in the portal");

/** An empty flag value clears an optional field. */
const orNull = (v: string | undefined) => (v === undefined ? undefined : v === "" ? null : v);

export function registerUserCommands(program: Command): void {
  const users = program.command("users").description("Directory users and their lifecycle");

  withCommonOptions(
    users
      .command("list")
      .description("List users, oldest first")
      .option("--status <status>", `only this status (${USER_STATUSES.join(", ")})`, status)
      .option("-q, --query <prefix>", "prefix of login, email or a name")
      .option("--limit <n>", "page size", positiveInt(1000), 100)
      .option("--after <cursor>", "cursor from the previous page"),
  ).action((opts: CommonOptions & { status?: UserStatus; query?: string; limit: number; after?: string }) =>
    withRuntime(opts, async (rt) => {
      const page = await rt.directory.users.list(
        { status: opts.status, q: opts.query },
        { limit: opts.limit, after: opts.after },
      );
      if (opts.json) return printJson(page);
      printUsers(page.items);
      if (page.nextCursor) printLine(`(more: --after ${page.nextCursor})`);
    }),
  );

  withCommonOptions(users.command("get").description("Show one user").argument("<user>", USER_ARG)).action(
    (ref: string, opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const user = await rt.directory.users.get(ref);
        if (opts.json) return printJson(user);
        printUser(user);
      }),
  );

  withCommonOptions(
    profileOptions(
      users
        .command("create")
        .description("Create a user (ACTIVE unless --status STAGED)")
        .requiredOption("--login <login>", "sign-in name, usually the email address")
        .requiredOption("--email <email>", "email address"),
    )
      .option("--status <status>", "STAGED or ACTIVE", status)
      .option("--password <password>", "initial password (visible in shell history; prefer --password-stdin)")
      .option("--password-stdin", "read the initial password from standard input"),
  ).action(async (opts: CommonOptions & ProfileFlags & { status?: UserStatus; password?: string }) => {
    const password = await passwordFrom(opts);
    await withRuntime(opts, async (rt) => {
      const profile: UserProfile = {
        login: opts.login ?? "",
        email: opts.email ?? "",
        firstName: orNull(opts.firstName) ?? null,
        lastName: orNull(opts.lastName) ?? null,
        displayName: orNull(opts.displayName) ?? null,
      };
      const user = await rt.directory.users.create(cliActor(), { profile, status: opts.status, password });
      if (opts.json) return printJson(user);
      printLine(`Created user ${user.profile.login} (${user.id}), ${user.status}.`);
    });
  });

  withCommonOptions(
    profileOptions(
      users
        .command("update")
        .description("Change a user's profile; an empty value clears an optional field")
        .argument("<user>", USER_ARG)
        .option("--login <login>", "new sign-in name")
        .option("--email <email>", "new email address"),
    ),
  ).action((ref: string, opts: CommonOptions & ProfileFlags) =>
    withRuntime(opts, async (rt) => {
      const patch: Partial<UserProfile> = {};
      if (opts.login !== undefined) patch.login = opts.login;
      if (opts.email !== undefined) patch.email = opts.email;
      for (const key of ["firstName", "lastName", "displayName"] as const) {
        const v = orNull(opts[key]);
        if (v !== undefined) patch[key] = v;
      }
      if (!Object.keys(patch).length) throw new CliError("nothing to change: give at least one profile flag");
      const user = await rt.directory.users.updateProfile(cliActor(), ref, patch);
      if (opts.json) return printJson(user);
      printLine(`Updated user ${user.profile.login} (${user.id}).`);
    }),
  );

  const lifecycle: [LifecycleAction, string][] = [
    ["activate", "Activate a STAGED or DEPROVISIONED user"],
    ["suspend", "Suspend an ACTIVE user (ends their sessions)"],
    ["unsuspend", "Return a SUSPENDED user to ACTIVE"],
    ["deactivate", "Deprovision a user (ends their sessions; required before delete)"],
  ];
  for (const [action, description] of lifecycle) {
    withCommonOptions(users.command(action).description(description).argument("<user>", USER_ARG)).action(
      (ref: string, opts: CommonOptions) =>
        withRuntime(opts, async (rt) => {
          const user = await rt.directory.users.transition(cliActor(), ref, action);
          if (opts.json) return printJson(user);
          printLine(`User ${user.profile.login} is now ${user.status}.`);
        }),
    );
  }

  withCommonOptions(
    users.command("delete").description("Delete a DEPROVISIONED user for good").argument("<user>", USER_ARG),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.get(ref);
      await rt.directory.users.delete(cliActor(), user.id);
      if (opts.json) return printJson({ deleted: user.id });
      printLine(`Deleted user ${user.profile.login} (${user.id}).`);
    }),
  );

  withCommonOptions(
    users
      .command("set-password")
      .description("Set a user's password (ends their sessions)")
      .argument("<user>", USER_ARG)
      .option("--password <password>", "the new password (visible in shell history; prefer --password-stdin)")
      .option("--password-stdin", "read the new password from standard input"),
  ).action(async (ref: string, opts: CommonOptions & { password?: string; passwordStdin?: boolean }) => {
    const password = await passwordFrom(opts);
    if (password === undefined) throw new CliError("a password is required: --password-stdin or --password");
    await withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.setPassword(cliActor(), ref, password);
      if (opts.json) return printJson({ id: user.id, passwordChanged: user.passwordChanged });
      printLine(`Password set for ${user.profile.login}.`);
    });
  });

  withCommonOptions(
    users
      .command("activation-link")
      .description("Print a one-time link where the person sets their password (a new link revokes the old)")
      .argument("<user>", USER_ARG)
      .option("--reset", "a reset link, for a person who already has a password")
      .option("--expires <duration>", "how long the link lasts: 30m, 72h, 7d (5m to 30d)", "72h"),
  ).action((ref: string, opts: CommonOptions & { reset?: boolean; expires: string }) =>
    withRuntime(opts, async (rt) => {
      const issued = await rt.activation.issue(cliActor(), ref, {
        reset: opts.reset ?? false,
        ttlMs: parseLinkTtl(opts.expires),
      });
      if (opts.json) return printJson({ url: issued.url, expiresAt: issued.expiresAt, purpose: issued.purpose });
      // The URL alone on stdout, so `$(rolebridge users activation-link …)` captures it; the rest on stderr.
      printLine(issued.url);
      process.stderr.write(
        `One-time ${issued.purpose} link for ${issued.login}, valid until ${issued.expiresAt}. Send it to them privately.\n`,
      );
    }),
  );

  withCommonOptions(
    users
      .command("unlock")
      .description("Lift the sign-in throttle kept for a user after failed sign-ins, at every address")
      .argument("<user>", USER_ARG),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.get(ref);
      const result = await rt.signIn.unlock(cliActor(), user.profile.login);
      if (opts.json) return printJson(result);
      printLine(`Unlocked ${user.profile.login}.`);
    }),
  );

  withCommonOptions(
    users.command("groups").description("List the groups a user belongs to").argument("<user>", USER_ARG),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const groups = await rt.directory.users.groups(ref);
      if (opts.json) return printJson(groups);
      printGroups(groups);
    }),
  );

  withCommonOptions(
    users
      .command("import")
      .description("Import users from CSV (login,email,firstName,lastName,displayName,status); see docs/import.md")
      .argument("<file>", "CSV file, UTF-8")
      .option("--partial", "keep the good rows when some are bad (default: write nothing)"),
  ).action((file: string, opts: CommonOptions & { partial?: boolean }) => runImport(opts, { users: file }));
}
