import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { resolveGroupRef } from "../../core/directory/group-ref.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine, printTable } from "../output.js";

/** `rolebridge groups rules …`: "members of group G are members of group R", kept in step with every change of G. */
export function registerMembershipRuleCommands(groups: Command): void {
  const rules = groups.command("rules").description("Membership rules: members of one group are members of another");

  withCommonOptions(rules.command("list").description("Every membership rule")).action((opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const list = await rt.directory.rules.list();
      if (opts.json) return printJson(list);
      const name = async (id: string) => {
        const g = await rt.store.groups.get(id);
        return g ? `${g.source}/${g.name}` : id;
      };
      const rows: string[][] = [];
      for (const r of list) rows.push([r.id, await name(r.fromGroupId), await name(r.toGroupId), r.created]);
      printTable(["ID", "MEMBERS OF", "BECOME MEMBERS OF", "CREATED"], rows);
    }),
  );

  withCommonOptions(
    rules
      .command("add")
      .description("Make every member of --from (now and later) a member of --to")
      .requiredOption("--from <group>", "the group whose members the rule follows (id or name)")
      .requiredOption("--to <group>", "the group they become members of (id or name)"),
  ).action((opts: CommonOptions & { from: string; to: string }) =>
    withRuntime(opts, async (rt) => {
      const [from, to] = [await resolveGroupRef(rt.store, opts.from), await resolveGroupRef(rt.store, opts.to)];
      const rule = await rt.directory.rules.create(cliActor(), from.id, to.id);
      if (opts.json) return printJson(rule);
      printLine(`Created membership rule ${rule.id}: ${rule.joined} person(s) joined.`);
    }),
  );

  withCommonOptions(
    rules
      .command("remove")
      .description("Delete a rule; the people only it made members leave the target group")
      .argument("<rule>", "rule id (rul_…)"),
  ).action((id: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const { left } = await rt.directory.rules.delete(cliActor(), id);
      if (opts.json) return printJson({ removed: id, left });
      printLine(`Deleted membership rule ${id}: ${left} person(s) left the target group.`);
    }),
  );
}
