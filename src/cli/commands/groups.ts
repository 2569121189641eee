import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { resolveGroupRef } from "../../core/directory/group-ref.js";
import type { Group } from "../../core/directory/model.js";
import type { Runtime } from "../../runtime.js";
import { type CommonOptions, positiveInt, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine, printTable } from "../output.js";
import { runImport } from "./import.js";
import { registerMembershipRuleCommands } from "./membership-rules.js";

const GROUP_ARG = "group id (grp_…) or name, from any source (--source when two sources hold the name)";
type SourceOptions = CommonOptions & { source?: string };

export function printGroups(groups: Group[]): void {
  printTable(
    ["ID", "SOURCE", "NAME", "DESCRIPTION"],
    groups.map((g) => [g.id, g.source, g.name, g.description]),
  );
}

/** An id, or a name from whichever source holds it (see resolveGroupRef). */
const resolveGroup = (rt: Runtime, ref: string, source: string | undefined): Promise<Group> =>
  resolveGroupRef(rt.store, ref, source);

const withSource = (cmd: Command) =>
  cmd.option("--source <source>", "source of the group named, when several sources hold that name");

export function registerGroupCommands(program: Command): void {
  const groups = program.command("groups").description("Groups and memberships");
  registerMembershipRuleCommands(groups);

  withCommonOptions(
    groups
      .command("list")
      .description("List groups, oldest first")
      .option("--source <source>", "only this source, e.g. local or active_directory")
      .option("-q, --query <prefix>", "prefix of the group name")
      .option("--limit <n>", "page size", positiveInt(1000), 100)
      .option("--after <cursor>", "cursor from the previous page"),
  ).action((opts: CommonOptions & { source?: string; query?: string; limit: number; after?: string }) =>
    withRuntime(opts, async (rt) => {
      const page = await rt.directory.groups.list(
        { source: opts.source, q: opts.query },
        { limit: opts.limit, after: opts.after },
      );
      if (opts.json) return printJson(page);
      printGroups(page.items);
      if (page.nextCursor) printLine(`(more: --after ${page.nextCursor})`);
    }),
  );

  withCommonOptions(
    withSource(groups.command("get").description("Show one group").argument("<group>", GROUP_ARG)),
  ).action((ref: string, opts: SourceOptions) =>
    withRuntime(opts, async (rt) => {
      const g = await resolveGroup(rt, ref, opts.source);
      if (opts.json) return printJson(g);
      printLine(`${g.name} (${g.id})`);
      printLine(`  source:       ${g.source}${g.externalId ? `, external id ${g.externalId}` : ""}`);
      printLine(`  description:  ${g.description ?? "-"}`);
      printLine(`  created:      ${g.created}, members changed ${g.lastMembershipUpdated}`);
    }),
  );

  withCommonOptions(
    groups
      .command("create")
      .description("Create a group")
      .requiredOption("--name <name>", "group name, unique per source (case-insensitive)")
      .option("--description <text>", "what the group is for")
      .option("--source <source>", "local, active_directory, ldap or csv:<name>", "local")
      .option("--external-id <id>", "the group's id in its source directory"),
  ).action((opts: SourceOptions & { name: string; description?: string; externalId?: string }) =>
    withRuntime(opts, async (rt) => {
      const g = await rt.directory.groups.create(cliActor(), {
        name: opts.name,
        description: opts.description,
        source: opts.source,
        externalId: opts.externalId,
      });
      if (opts.json) return printJson(g);
      printLine(`Created group ${g.name} (${g.id}) in source ${g.source}.`);
    }),
  );

  withCommonOptions(
    withSource(
      groups.command("delete").description("Delete a group and its memberships").argument("<group>", GROUP_ARG),
    ),
  ).action((ref: string, opts: SourceOptions) =>
    withRuntime(opts, async (rt) => {
      const g = await resolveGroup(rt, ref, opts.source);
      await rt.directory.groups.delete(cliActor(), g.id);
      if (opts.json) return printJson({ deleted: g.id });
      printLine(`Deleted group ${g.name} (${g.id}).`);
    }),
  );

  withCommonOptions(
    withSource(
      groups
        .command("members")
        .description("List a group's members")
        .argument("<group>", GROUP_ARG)
        .option("--limit <n>", "page size", positiveInt(1000), 100)
        .option("--after <cursor>", "cursor from the previous page"),
    ),
  ).action((ref: string, opts: SourceOptions & { limit: number; after?: string }) =>
    withRuntime(opts, async (rt) => {
      const g = await resolveGroup(rt, ref, opts.source);
      const page = await rt.directory.groups.members(g.id, { limit: opts.limit, after: opts.after });
      if (opts.json) return printJson(page);
      printTable(
        ["ID", "LOGIN", "STATUS"],
        page.items.map((u) => [u.id, u.profile.login, u.status]),
      );
      if (page.nextCursor) printLine(`(more: --after ${page.nextCursor})`);
    }),
  );

  for (const verb of ["add-member", "remove-member"] as const) {
    withCommonOptions(
      withSource(
        groups
          .command(verb)
          .description(
            verb === "add-member" ? "Add a user to a group (no-op if already a member)" : "Remove a user from a group",
          )
          .argument("<group>", GROUP_ARG)
          .argument("<user>", "user id (usr_…) or login"),
      ),
    ).action((groupRef: string, userRef: string, opts: SourceOptions) =>
      withRuntime(opts, async (rt) => {
        const g = await resolveGroup(rt, groupRef, opts.source);
        const user = await rt.directory.users.get(userRef);
        const changed =
          verb === "add-member"
            ? (await rt.directory.groups.addMember(cliActor(), g.id, user.id)).added
            : (await rt.directory.groups.removeMember(cliActor(), g.id, user.id)).removed;
        if (opts.json) return printJson({ group: g.id, user: user.id, changed });
        const what = verb === "add-member" ? (changed ? "Added" : "Already a member:") : "Removed";
        printLine(`${what} ${user.profile.login} ${verb === "add-member" ? "to" : "from"} ${g.name}.`);
      }),
    );
  }

  withCommonOptions(
    groups
      .command("import")
      .description("Import groups from CSV (name,description,source,externalId); see docs/import.md")
      .argument("<file>", "CSV file, UTF-8")
      .option("--memberships <file>", "also import memberships (group,user[,source]) in the same transaction")
      .option("--partial", "keep the good rows when some are bad (default: write nothing)"),
  ).action((file: string, opts: CommonOptions & { memberships?: string; partial?: boolean }) =>
    runImport(opts, { groups: file, memberships: opts.memberships }),
  );
}
