import { readFileSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { cliActor } from "../../core/audit.js";
import { PRESETS, type Preset } from "../../core/sources/model.js";
import { type CommonOptions, positiveInt, readStdin, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

interface AddLdapOptions extends CommonOptions {
  name: string;
  url: string;
  startTls?: boolean;
  caFile?: string;
  bindDn: string;
  bindPasswordStdin?: boolean;
  peopleBase: string;
  peopleFilter?: string;
  groupsBase: string;
  groupsFilter?: string;
  preset: Preset;
  nestedGroups?: boolean;
  maxDeactivationShare?: number;
  pageSize?: number;
  passwordSignIn?: boolean;
}

function share(value: string): number {
  const n = Number(value.endsWith("%") ? Number(value.slice(0, -1)) / 100 : value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError("must be a share from 0 to 1, or a percentage like 10%");
  return n;
}

/** `rolebridge sources …`: directory sources (LDAP, Active Directory) whose people and groups rolebridge mirrors. */
export function registerSourceCommands(program: Command): void {
  const sources = program.command("sources").description("Directory sources (LDAP, Active Directory): add, sync, list");

  withCommonOptions(
    sources
      .command("add-ldap")
      .description("Add an LDAP or Active Directory source; the bind password is read from stdin and sealed at rest")
      .requiredOption("--name <name>", "the source's name, which its groups carry (e.g. active_directory, corp_ldap)")
      .requiredOption("--url <url>", "ldap://host:port or ldaps://host:port")
      .option("--start-tls", "upgrade ldap:// with StartTLS")
      .option("--ca-file <pem>", "PEM bundle the server's certificate must chain to")
      .requiredOption("--bind-dn <dn>", "DN to bind as")
      .option("--bind-password-stdin", "read the bind password from stdin (required)")
      .requiredOption("--people-base <dn>", "where people are searched")
      .option("--people-filter <filter>", "LDAP filter for people (default: the preset's)")
      .requiredOption("--groups-base <dn>", "where groups are searched")
      .option("--groups-filter <filter>", "LDAP filter for groups (default: the preset's)")
      .addOption(new Option("--preset <preset>", "attribute mapping").choices([...PRESETS]).default("openldap"))
      .option("--nested-groups", "members of nested groups count as members of the groups holding them")
      .option("--max-deactivation-share <share>", "stop a sync deactivating more than this share (default 10%)", share)
      .option("--page-size <n>", "entries per page (RFC 2696)", positiveInt(5000))
      .option("--password-sign-in", "people of this source sign in with their directory password"),
  ).action((opts: AddLdapOptions) =>
    withRuntime(opts, async (rt) => {
      if (!opts.bindPasswordStdin) throw new CliError("pipe the bind password on stdin with --bind-password-stdin");
      const bindPassword = await readStdin();
      if (!bindPassword) throw new CliError("the bind password read from stdin is empty");
      const source = await rt.sources.addLdap(cliActor(), {
        name: opts.name,
        url: opts.url,
        startTls: opts.startTls,
        caBundle: opts.caFile ? readFileSync(opts.caFile, "utf8") : null,
        bindDn: opts.bindDn,
        bindPassword,
        peopleBase: opts.peopleBase,
        peopleFilter: opts.peopleFilter,
        groupsBase: opts.groupsBase,
        groupsFilter: opts.groupsFilter,
        preset: opts.preset,
        nestedGroups: opts.nestedGroups,
        maxDeactivationShare: opts.maxDeactivationShare,
        pageSize: opts.pageSize,
        passwordSignIn: opts.passwordSignIn,
      });
      if (opts.json) return printJson(source);
      printLine(`Added directory source ${source.name} (${source.id}). Run: rolebridge sources sync ${source.name}`);
    }),
  );

  withCommonOptions(
    sources
      .command("sync <source>")
      .description("Sync people, groups and memberships from the directory (full, or incremental by change marker)")
      .option("--incremental", "only entries changed since the last sync (a full sync when there was none)")
      .option("--confirm-deactivations", "go ahead although more than the safety share of people would be deactivated"),
  ).action((source: string, opts: CommonOptions & { incremental?: boolean; confirmDeactivations?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const report = await rt.sources.sync(cliActor(), source, {
        kind: opts.incremental ? "incremental" : "full",
        confirmDeactivations: opts.confirmDeactivations,
      });
      if (opts.json)
        return printJson({
          source: report.source,
          kind: report.kind,
          ...report.counts,
          skippedEntries: report.skipped,
        });
      const c = report.counts;
      printLine(
        `${report.kind} sync of ${report.source}: ${c.people} people, ${c.groups} groups, ${c.memberships} memberships; ` +
          `${c.created} created, ${c.updated} updated, ${c.reactivated} reactivated, ${c.deactivated} deactivated, ` +
          `${c.groupsCreated}/${c.groupsUpdated}/${c.groupsRemoved} groups created/updated/removed, ` +
          `${c.membershipsAdded}/${c.membershipsRemoved} memberships added/removed, ${c.skipped} skipped.`,
      );
      for (const s of report.skipped) printLine(`  skipped ${s.dn}: ${s.reason}`);
    }),
  );

  withCommonOptions(
    sources
      .command("update <source>")
      .description("Change a source's settings; what is not given stays")
      .option("--url <url>", "ldap://host:port or ldaps://host:port")
      .option("--bind-dn <dn>", "DN to bind as")
      .option("--bind-password-stdin", "read a new bind password from stdin")
      .option("--people-base <dn>", "where people are searched")
      .option("--people-filter <filter>", "LDAP filter for people")
      .option("--groups-base <dn>", "where groups are searched")
      .option("--groups-filter <filter>", "LDAP filter for groups")
      .option("--max-deactivation-share <share>", "stop a sync deactivating more than this share", share),
  ).action((source: string, opts: Partial<AddLdapOptions>) =>
    withRuntime(opts, async (rt) => {
      const bindPassword = opts.bindPasswordStdin ? await readStdin() : undefined;
      if (opts.bindPasswordStdin && !bindPassword) throw new CliError("the bind password read from stdin is empty");
      const updated = await rt.sources.update(cliActor(), source, {
        url: opts.url,
        bindDn: opts.bindDn,
        bindPassword,
        peopleBase: opts.peopleBase,
        peopleFilter: opts.peopleFilter,
        groupsBase: opts.groupsBase,
        groupsFilter: opts.groupsFilter,
        maxDeactivationShare: opts.maxDeactivationShare,
      });
      if (opts.json) return printJson(updated);
      printLine(`Updated directory source ${updated.name} (version ${updated.version}).`);
    }),
  );

  withCommonOptions(
    sources
      .command("write-back <source>")
      .description(
        "Create rolebridge's role groups (aws#…) and their members in the directory; a dry run unless --apply",
      )
      .requiredOption("--ou <dn>", "where the groups are created, e.g. ou=aws,ou=groups,dc=example,dc=com")
      .option("--prefix <prefix>", "local groups whose name starts with this", "aws#")
      .option("--apply", "write the plan (without it, only print it)"),
  ).action((source: string, opts: CommonOptions & { ou: string; prefix: string; apply?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const items = await rt.sources.writeBack(cliActor(), source, {
        ou: opts.ou,
        prefix: opts.prefix,
        apply: opts.apply ?? false,
      });
      if (opts.json) printJson({ applied: opts.apply ?? false, groups: items });
      else {
        printTable(
          ["GROUP", "ACTION", "MEMBERS", "NOT IN DIRECTORY", "REASON"],
          items.map((i) => [i.name, i.action, i.members, i.notInDirectory, i.reason ?? ""]),
        );
        if (!opts.apply) printLine("Dry run: nothing was written. Run again with --apply to write it.");
      }
      if (items.some((i) => i.action === "refused")) process.exitCode = 4;
    }),
  );

  withCommonOptions(sources.command("list").description("Directory sources and their last sync")).action(
    (opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const list = await rt.sources.list();
        if (opts.json) return printJson(list);
        printTable(
          ["NAME", "ID", "URL", "LAST SYNC", "STATUS", "ERROR"],
          list.map((s) => [s.name, s.id, s.settings.url, s.lastSync?.at, s.lastSync?.status, s.lastSync?.error]),
        );
      }),
  );

  withCommonOptions(sources.command("get <source>").description("One directory source (never its password)")).action(
    (source: string, opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const s = await rt.sources.get(source);
        if (opts.json) return printJson(s);
        printLine(JSON.stringify(s, null, 2));
      }),
  );

  withCommonOptions(
    sources.command("test <source>").description("Bind with the stored credentials (Test Connection)"),
  ).action((source: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const r = await rt.sources.test(source);
      if (opts.json) return printJson(r);
      printLine("OK: the directory accepted the bind");
    }),
  );

  withCommonOptions(
    sources
      .command("remove <source>")
      .description("Remove the source; the people and groups it made stay (no longer synced)"),
  ).action((source: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      await rt.sources.remove(cliActor(), source);
      if (opts.json) return printJson({ removed: source });
      printLine(`Removed directory source ${source}.`);
    }),
  );
}
