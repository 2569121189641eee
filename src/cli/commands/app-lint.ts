import type { Command } from "commander";
import { lintAwsApp } from "../../core/apps/lint.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine } from "../output.js";
import { printUpgradeNotice } from "./app-assignments.js";

/** `rolebridge apps lint`: role groups the Group Filter misses, users near AWS's SAML size limit. */
export function registerLintCommand(apps: Command): void {
  withCommonOptions(
    apps
      .command("lint")
      .description("Role groups the Group Filter misses; users near AWS's SAML size limit")
      .argument("<app>", "slug or id"),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const lint = await lintAwsApp(rt.store, await rt.apps.get(ref));
      if (opts.json) return printJson(lint);
      printLine(`Group Filter: ${lint.groupFilter.matched} of ${lint.groupFilter.checked} role groups match.`);
      for (const m of lint.groupFilter.missed) printLine(`  missed ${m.groupName}${m.hint ? ` — ${m.hint}` : ""}`);
      printLine(
        `Users at or near AWS's ${lint.responseSize.limit}-character limit: ${lint.responseSize.atRisk.length}`,
      );
      for (const u of lint.responseSize.atRisk) {
        printLine(
          `  ${u.login}: ${u.roleCount} roles, ${u.base64Length} characters${u.overLimit ? " (OVER: sign-in fails)" : ""}`,
        );
      }
      for (const n of lint.upgradeNotices) printUpgradeNotice(n);
    }),
  );
}
