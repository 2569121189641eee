import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { DEFAULT_NAME_TEMPLATE, migrationServices, type PlanOptions } from "../../core/migration/index.js";
import { findingLines, inventorySummary, planSummary, proofLines, roleGroupTable } from "../../core/migration/text.js";
import type { Runtime } from "../../runtime.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";
import { stderrProgress } from "../progress.js";
import { awsOptions, printApplyOutcome, withAwsStepOptions } from "./migrate-aws.js";
import { withDemoSandbox } from "./migrate-policy.js";

interface MigrateOptions extends CommonOptions {
  from: string;
  to?: string;
  template: string;
  source: string;
  groupFilter?: string;
  static?: boolean;
  providerName?: string;
  offline?: boolean;
  out?: string;
  csv?: string;
  yes?: boolean;
  skipAws?: boolean;
  adminRole?: string;
  awsFromEnv?: boolean;
  dryRun?: boolean;
}

const services = (rt: Runtime) => migrationServices(rt);
const printLines = (line: string): void => printLine(line);

function planOptions(opts: MigrateOptions): PlanOptions {
  if (!opts.to) throw new CliError("--to <new-app-slug> is required");
  return {
    to: opts.to,
    template: opts.template,
    source: opts.source,
    groupFilter: opts.groupFilter,
    mode: opts.static ? "static" : "rules",
    providerName: opts.providerName,
  };
}

function requireYes(opts: MigrateOptions, what: string): void {
  if (!opts.yes) throw new CliError(`${what} changes the directory; run migrate plan first, then pass --yes`);
}

function output(opts: MigrateOptions, value: unknown, human: () => void): void {
  if (opts.out) writeFileSync(opts.out, `${JSON.stringify(value, null, 2)}\n`);
  if (opts.json) printJson(value);
  else human();
}

function withMigrateOptions(cmd: Command): Command {
  return withCommonOptions(cmd)
    .requiredOption("--from <app>", "the legacy API-mode app (slug or id)")
    .option("--to <new-app-slug>", "the new group-mapping app's slug")
    .option("--template <template>", "role group name template ({alias}, {role}, {account})", DEFAULT_NAME_TEMPLATE)
    .option("--source <source>", "directory source of the role groups; the target's App Filter trusts it", "local")
    .option("--group-filter <regex>", "your own Group Filter instead of the one generated from the template")
    .option("--static", "copy today's members of assigned groups instead of membership rules")
    .option(
      "--provider-name <name>",
      "one SAML provider name for the target in every account (default: keep each account's)",
    )
    .option("--offline", "do not read AWS; use the role lists of the last refresh")
    .option("--out <file>", "also write the JSON document to this file")
    .option(
      "--csv <dir>",
      "plan: also write groups.csv and memberships.csv for `rolebridge import` or another directory",
    )
    .option("--yes", "confirm a change (apply, rollback, cutover)");
}

/** `rolebridge migrate …`: off the legacy API mode onto role groups, proven equivalent, reversible. */
export function registerMigrateCommands(program: Command): Command {
  const migrate = program
    .command("migrate")
    .description(
      "Migrate a legacy API-mode AWS app to group mapping: inventory, plan, verify, apply, cutover, rollback",
    );

  withCommonOptions(
    migrate
      .command("import-okta")
      .description(
        "Import an Okta org's AWS Account Federation app (its API responses saved as files) as a legacy-mode app",
      )
      .requiredOption("--export <dir>", "directory of the Okta export (see docs/migration.md for its files)")
      .requiredOption("--slug <slug>", "slug of the legacy-mode app to create")
      .option("--app-group-source <source>", "directory source for Okta APP_GROUP groups", "active_directory")
      .option(
        "--accept-differences",
        "import even when rolebridge would not resolve every app user's roles as Okta did",
      ),
  ).action(
    (opts: CommonOptions & { export: string; slug: string; appGroupSource: string; acceptDifferences?: boolean }) =>
      withRuntime(opts, async (rt) => {
        const { importOktaExport } = await import("../../core/migration/okta/import.js");
        const result = await importOktaExport(rt, cliActor(), opts.export, {
          slug: opts.slug,
          appGroupSource: opts.appGroupSource,
          acceptDifferences: opts.acceptDifferences,
        });
        if (opts.json) printJson(result);
        else {
          printLine(
            `${result.written ? "Imported" : "Not imported"}: ${result.identical} of ${result.people} app users resolve exactly as in Okta (group assignments: ${result.groupAssignmentMode}).`,
          );
          for (const d of result.differences)
            printLine(
              `  ${d.login}: Okta ${d.okta.join(", ") || "(none)"}; rolebridge ${d.rolebridge.join(", ") || "(none)"}`,
            );
          if (!result.written) printLine("Not equivalent: nothing was written (--accept-differences imports anyway).");
        }
        if (!result.equivalent) process.exitCode = 1;
      }),
  );

  withMigrateOptions(
    migrate.command("inventory").description("The legacy app's estate, and each account as AWS shows it"),
  ).action((opts: MigrateOptions) =>
    withRuntime(opts, async (rt) => {
      const inventory = await services(rt).reader.inventory(opts.from, { offline: opts.offline });
      output(opts, inventory, () => inventorySummary(inventory).forEach(printLines));
    }),
  );

  withMigrateOptions(
    migrate
      .command("plan")
      .description("Role groups, memberships, rules, target app and every finding; writes nothing"),
  ).action((opts: MigrateOptions) =>
    withRuntime(opts, async (rt) => {
      const { plan, inventory } = await services(rt).reader.plan(opts.from, planOptions(opts), {
        offline: opts.offline,
      });
      if (opts.csv) {
        const { planCsv } = await import("../../core/migration/csv-export.js");
        const files = planCsv(plan, inventory);
        mkdirSync(opts.csv, { recursive: true });
        writeFileSync(join(opts.csv, "groups.csv"), files.groups);
        writeFileSync(join(opts.csv, "memberships.csv"), files.memberships);
      }
      output(opts, plan, () => {
        const login = new Map(inventory.people.map((p) => [p.id, p.login]));
        for (const l of planSummary(plan)) printLine(l);
        const table = roleGroupTable(plan, (id) => login.get(id) ?? id);
        printTable(table.header, table.rows);
        for (const l of findingLines(plan)) printLine(l);
      });
    }),
  );

  withMigrateOptions(
    migrate.command("verify").description("Prove every person keeps exactly their (provider, role) pairs"),
  ).action((opts: MigrateOptions) =>
    withRuntime(opts, async (rt) => {
      const { against, result } = await services(rt).reader.verify(opts.from, planOptions(opts), {
        offline: opts.offline,
      });
      output(opts, result, () =>
        proofLines(result, against === "live" ? "live state" : "the plan").forEach(printLines),
      );
      if (result.differences.length) process.exitCode = 1;
    }),
  );

  withAwsStepOptions(
    withMigrateOptions(
      migrate
        .command("apply")
        .description("Apply the plan (directory, then SAML in every account), journaled; again to resume"),
    ),
  )
    .option("--skip-aws", "leave AWS alone: SAML is set up with the CloudFormation templates instead")
    .option("--dry-run", "print the directory steps and each account's AWS diff; change nothing")
    .action((opts: MigrateOptions) =>
      withRuntime(opts, async (rt) => {
        const options = planOptions(opts);
        const { writer } = services(rt);
        if (opts.dryRun) {
          const { describeAccountPlan } = await import("../../core/migration/aws-saml/plan.js");
          const dry = await withDemoSandbox(rt, opts.from, () =>
            writer.dryRun(opts.from, options, { offline: opts.offline, aws: awsOptions(opts) }),
          );
          return output(opts, dry, () => {
            printLine(`Directory: ${dry.steps.length} step(s)`);
            for (const s of dry.steps) printLine(`  ${s.label}`);
            printLine(
              `AWS: ${dry.aws.length ? `${dry.aws.length} account(s)` : "left alone (--skip-aws or --offline)"}`,
            );
            for (const a of dry.aws)
              printLine(a.plan ? describeAccountPlan(a.plan) : `account ${a.accountId}: ${a.error}`);
          });
        }
        requireYes(opts, "apply");
        const outcome = await withDemoSandbox(rt, opts.from, () =>
          writer.apply(cliActor(), opts.from, options, {
            offline: opts.offline,
            progress: stderrProgress(),
            aws: awsOptions(opts),
          }),
        );
        output(opts, outcome, () => printApplyOutcome(outcome, opts.from, options.to));
      }),
    );

  withMigrateOptions(
    migrate.command("report").description("The migration as one Markdown document or one self-contained HTML page"),
  )
    .option("--format <format>", "md or html", "md")
    .action((opts: MigrateOptions & { format: string }) =>
      withRuntime(opts, async (rt) => {
        if (opts.format !== "md" && opts.format !== "html") throw new CliError("--format must be md or html");
        const { reader, awsStepsWired } = services(rt);
        const input = await reader.report(opts.from, planOptions(opts), { offline: opts.offline, awsStepsWired });
        const { reportHtml, reportMarkdown } = await import("../../core/migration/report.js");
        const text = opts.format === "html" ? reportHtml(input) : reportMarkdown(input);
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      }),
    );

  withAwsStepOptions(
    withMigrateOptions(
      migrate
        .command("rollback")
        .description(
          "Before cut-over: remove what apply created (in AWS too); after: give kept providers the legacy metadata back and reactivate the legacy app",
        ),
    ),
  ).action((opts: MigrateOptions) =>
    withRuntime(opts, async (rt) => {
      const { to } = planOptions(opts);
      requireYes(opts, "rollback");
      const outcome = await withDemoSandbox(rt, opts.from, () =>
        services(rt).writer.rollback(cliActor(), opts.from, to, { progress: stderrProgress(), aws: awsOptions(opts) }),
      );
      output(opts, outcome, () =>
        printLine(
          outcome.legacyReactivated
            ? `Reactivated ${opts.from}; ${to} and its role groups stay until the next rollback.`
            : `Rolled back: ${outcome.undone} step(s) undone.`,
        ),
      );
    }),
  );

  withAwsStepOptions(
    withMigrateOptions(
      migrate
        .command("cutover")
        .description(
          "Deactivate the legacy app, only when verify passes against live state; a kept provider is switched to the new app's metadata first",
        ),
    ).option("--skip-aws", "leave AWS alone: switch kept providers yourself (migrate saml apply)"),
  ).action((opts: MigrateOptions & { skipAws?: boolean; adminRole?: string; awsFromEnv?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const options = planOptions(opts);
      requireYes(opts, "cutover");
      const outcome = await services(rt).writer.cutover(cliActor(), opts.from, options, {
        progress: stderrProgress(),
        aws: awsOptions(opts),
      });
      output(opts, outcome, () =>
        printLine(
          `Cut over: ${opts.from} is inactive; ${outcome.proof.people} people proven identical on ${options.to}.`,
        ),
      );
    }),
  );
  return migrate;
}
