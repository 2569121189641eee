import type { Command } from "commander";
import type { ApplyOutcome } from "../../core/migration/apply.js";
import type { AwsStepOptions } from "../../core/migration/index.js";
import { printLine } from "../output.js";
import { envCredentials } from "./migrate-saml.js";

/** `migrate apply|rollback`'s AWS flags, and what apply prints about the AWS side. */
interface AwsFlags {
  skipAws?: boolean;
  adminRole?: string;
  awsFromEnv?: boolean;
}

/** How apply and rollback reach AWS: the legacy app's keys unless told otherwise. */
export function awsOptions(opts: AwsFlags): AwsStepOptions {
  return {
    skip: opts.skipAws,
    adminRole: opts.adminRole,
    credentials: opts.awsFromEnv ? envCredentials() : undefined,
  };
}

export function withAwsStepOptions(cmd: Command): Command {
  return cmd
    .option("--admin-role <name>", "role assumed in each account (default: the legacy app's cross-account role)")
    .option("--aws-from-env", "use the AWS keys in the environment instead of the legacy app's");
}

export function printApplyOutcome(outcome: ApplyOutcome, from: string, to: string): void {
  printLine(
    `${outcome.resumed ? "Resumed" : "Applied"} ${from} -> ${to}: ${outcome.done} step(s) done, ${outcome.skipped} already done (run ${outcome.runId}).`,
  );
  if (outcome.aws === "skipped") printLine("AWS left alone (--skip-aws or --offline): set SAML up with the templates.");
  for (const f of outcome.failed) printLine(`  FAILED ${f.item.replace(/^aws:/, "account ")}: ${f.message}`);
  if (outcome.failed.length)
    printLine(
      `${outcome.failed.length} account(s) not set up, ${outcome.pending} step(s) waiting: fix the cause, then run migrate apply again.`,
    );
  if (outcome.failed.some((f) => f.details.reason === "access_denied"))
    printLine(
      "AWS refused: the legacy app's keys may only list roles. Pass --aws-from-env with administrator keys (and --admin-role).",
    );
  if (outcome.providersLeft.length)
    printLine(
      `The legacy app still signs in through its provider in ${outcome.providersLeft.join(", ")}: apply left its metadata alone; switch it at cut-over (docs/migration.md), or plan with --provider-name.`,
    );
  printLine("Next: migrate verify, then migrate cutover.");
}
