import { type Command, InvalidArgumentError, Option } from "commander";
import type { AppUpgradeNotice } from "../../core/apps/model.js";
import { acknowledgeUpgradeNotice } from "../../core/apps/upgrade-notices.js";
import { cliActor } from "../../core/audit.js";
import { resolveGroupRef } from "../../core/directory/group-ref.js";
import type { Runtime } from "../../runtime.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

function priorityArg(value: string): number {
  if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError("--priority must be a whole number from 0 (highest)");
  return Number(value);
}

/** How `apps lint` shows an upgrade's change of behaviour until someone acknowledges it. */
export function printUpgradeNotice(n: AppUpgradeNotice): void {
  printLine(`Upgrade notice ${n.id} (${n.kind}, not yet acknowledged): ${n.details?.summary ?? "being computed"}`);
  for (const p of n.details?.people ?? []) {
    for (const pair of p.gained) printLine(`  ${p.login} gains ${pair}`);
    for (const pair of p.lost) printLine(`  ${p.login} loses ${pair}`);
  }
  printLine(`  acknowledge with: rolebridge apps acknowledge-upgrade <app> ${n.id}`);
}

type AssignOptions = CommonOptions & { user?: string; group?: string; source?: string };

/** --user, or --group by id or by name from any source (--source only when two sources hold the name). */
async function principalOf(rt: Runtime, opts: AssignOptions) {
  if (opts.user) return { type: "user" as const, principal: opts.user, display: opts.user };
  if (!opts.group) throw new CliError("give --user or --group");
  const group = await resolveGroupRef(rt.store, opts.group, opts.source);
  return { type: "group" as const, principal: group.id, display: `${group.source}/${group.name} (${group.id})` };
}

/** `apps assign | unassign | assignments | acknowledge-upgrade`: who an app reaches, with which roles and priority. */
export function registerAssignmentCommands(apps: Command): void {
  withCommonOptions(
    apps
      .command("assign")
      .description("Assign a user or group; --role adds a SAML User Role (repeatable)")
      .argument("<app>", "slug or id")
      .addOption(new Option("--user <login>", "user login or id").conflicts("group"))
      .option("--group <group>", "group id (grp_…) or name, from any source")
      .option("--source <source>", "source of the --group named, when several sources hold that name")
      .option("--role <arn>", "role ARN to assign with it", (v: string, all: string[] = []) => [...all, v])
      .option("--priority <n>", "group assignments: 0 is the highest; the others shift down", priorityArg),
  ).action((ref: string, opts: AssignOptions & { role?: string[]; priority?: number }) =>
    withRuntime(opts, async (rt) => {
      const { type, principal, display } = await principalOf(rt, opts);
      // Only AWS federation assignments carry roles; others take an empty profile.
      const profile = opts.role ? { samlRoles: opts.role.map((roleArn) => ({ roleArn })) } : {};
      const a = await rt.apps.assign(cliActor(), ref, type, principal, profile, {
        priority: opts.priority,
      });
      if (opts.json) return printJson(a);
      printLine(`Assigned ${type} ${display} to ${ref}${a.priority === null ? "" : ` at priority ${a.priority}`}.`);
    }),
  );

  withCommonOptions(
    apps
      .command("unassign")
      .description("Remove a user's or group's assignment")
      .argument("<app>", "slug or id")
      .addOption(new Option("--user <login>", "user login or id").conflicts("group"))
      .option("--group <group>", "group id (grp_…) or name, from any source")
      .option("--source <source>", "source of the --group named, when several sources hold that name"),
  ).action((ref: string, opts: AssignOptions) =>
    withRuntime(opts, async (rt) => {
      const { type, principal } = await principalOf(rt, opts);
      await rt.apps.unassign(cliActor(), ref, type, principal);
      if (opts.json) return printJson({ unassigned: opts.user ?? opts.group });
      printLine(`Unassigned ${opts.user ?? opts.group} from ${ref}.`);
    }),
  );

  withCommonOptions(apps.command("assignments").description("Who is assigned").argument("<app>", "slug or id")).action(
    (ref: string, opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const list = await rt.apps.assignments(ref);
        if (opts.json) return printJson(list);
        printTable(
          ["TYPE", "ID", "PRIORITY", "ROLES"],
          list.map((a) => [
            a.principalType,
            a.principalId,
            a.priority === null ? "" : String(a.priority),
            JSON.stringify(a.profile.samlRoles ?? []),
          ]),
        );
      }),
  );

  withCommonOptions(
    apps
      .command("acknowledge-upgrade")
      .description("Acknowledge an upgrade notice shown by `apps lint` (recorded in the System Log)")
      .argument("<app>", "slug or id")
      .argument("<notice>", "notice id (upg_…)"),
  ).action((ref: string, notice: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const done = await acknowledgeUpgradeNotice(rt.store, rt.clock, cliActor(), await rt.apps.get(ref), notice);
      if (opts.json) return printJson(done);
      printLine(`Acknowledged ${done.id}.`);
    }),
  );
}
