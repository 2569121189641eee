import type { Command } from "commander";
import { type CommonOptions, positiveInt, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printTable } from "../output.js";

interface LogOptions extends CommonOptions {
  limit: number;
  action?: string;
  target?: string;
  since?: string;
}

export function registerLogCommand(program: Command): void {
  withCommonOptions(
    program
      .command("log")
      .description("Show the system log, newest first")
      .option("--limit <n>", "how many events", positiveInt(1000), 50)
      .option("--action <action>", "only this action, e.g. user.lifecycle.create")
      .option("--target <id>", "only events about this object id")
      .option("--since <iso-time>", "only events published at or after this time"),
  ).action((opts: LogOptions) =>
    withRuntime(opts, async (rt) => {
      const page = await rt.store.log.list(
        { action: opts.action, targetId: opts.target, since: opts.since },
        { limit: opts.limit },
      );
      if (opts.json) return printJson(page.items);
      printTable(
        ["PUBLISHED", "ACTOR", "ACTION", "TARGET", "OUTCOME"],
        page.items.map((e) => [e.published, e.actor.display, e.action, e.target?.display, e.outcome]),
      );
    }),
  );
}
