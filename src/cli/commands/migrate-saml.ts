import { Command, InvalidArgumentError, Option } from "commander";
import type { App } from "../../core/apps/model.js";
import type { AwsCredentials } from "../../core/aws/clients.js";
import { EXIT } from "../../core/errors.js";
import { ACCOUNT_ID_PATTERN, type AwsPartition, parseRoleArn } from "../../core/rolemap/arn.js";
import type { Runtime } from "../../runtime.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine } from "../output.js";

/**
 * `saml template|plan|apply` — SAML in every account for the migration: the target app's provider and the mapped
 * roles' trust, through the AWS API (with a dry-run diff) or as CloudFormation. Exported for `migrate` to attach.
 */
interface AwsOptions {
  role: string[];
  endpointUrl?: string;
  region: string;
  adminRole?: string;
}

const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::\d{12}:role\/.+$/;
const roleArnOption = (value: string, previous: string[] = []) => {
  if (!ROLE_ARN.test(value)) throw new InvalidArgumentError(`${value} is not an IAM role ARN`);
  return [...previous, value];
};

function withAwsOptions(cmd: Command, rolesRequired: boolean): Command {
  const role = new Option("--role <arn>", "a role the plan maps (repeat for each)").argParser(roleArnOption);
  return cmd
    .addOption(rolesRequired ? role.makeOptionMandatory() : role)
    .option("--endpoint-url <url>", "an AWS look-alike (the sandbox); real AWS needs none")
    .option("--region <region>", "STS region", "us-east-1")
    .option("--admin-role <name>", "role assumed in each account (default OrganizationAccountAccessRole)");
}

/** The standard AWS environment variables: the keys that administer the organization. */
export function envCredentials(): AwsCredentials {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw new CliError("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a session)");
  return { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN };
}

function rolesByAccount(arns: readonly string[], partition: AwsPartition): Map<string, string[]> {
  const byAccount = new Map<string, string[]>();
  for (const arn of arns) {
    const parsed = parseRoleArn(arn, partition);
    if (!parsed.ok) throw new CliError(`--role ${arn}: ${parsed.reason}`);
    byAccount.set(parsed.value.accountId, [...(byAccount.get(parsed.value.accountId) ?? []), arn]);
  }
  return byAccount;
}

/** Per account: the app's target there, and sessions into the organization. */
async function context(rt: Runtime, slug: string, opts: AwsOptions) {
  const [{ AccountSessions, appSamlSettings, samlTargetFor }, { defaultAwsClients }] = await Promise.all([
    import("../../core/migration/aws-saml/index.js"),
    import("../../core/aws/clients.js"),
  ]);
  const app: App = await rt.apps.get(slug);
  const metadata = await rt.signingKeys.metadata(app, rt.publicUrl);
  const settings = appSamlSettings(app);
  const partition = settings.partition;
  const sessions = () =>
    new AccountSessions(
      defaultAwsClients,
      { partition, region: opts.region, endpointUrl: opts.endpointUrl },
      envCredentials(),
      opts.adminRole ? { roleName: opts.adminRole } : {},
    );
  return { settings, partition, sessions, targetFor: (accountId: string) => samlTargetFor(app, metadata, accountId) };
}

type PlanOptions = CommonOptions & AwsOptions & { app: string; dryRun?: boolean };

async function planOrApply(opts: PlanOptions, apply: boolean) {
  return withRuntime(opts, async (rt) => {
    const { applyAccounts, describeAccountPlan } = await import("../../core/migration/aws-saml/index.js");
    const c = await context(rt, opts.app, opts);
    const sessions = c.sessions();
    const outcomes = [];
    for (const [accountId, arns] of rolesByAccount(opts.role, c.partition)) {
      const roles = new Map([[accountId, arns]]);
      outcomes.push(...(await applyAccounts(sessions, c.targetFor(accountId), roles, { dryRun: !apply })));
    }
    const failed = outcomes.some((o) => o.error || o.steps.some((s) => !s.ok));
    if (opts.json) printJson(outcomes);
    else {
      for (const o of outcomes) {
        if (o.plan) printLine(describeAccountPlan(o.plan));
        if (o.error) printLine(o.error.message);
        for (const s of o.steps)
          printLine(s.ok ? `  done ${s.key}: ${s.result.outcome}` : `  FAILED ${s.key}: ${s.error.message}`);
      }
    }
    // Per-item failures are AWS refusing or unreachable: the remote-failure exit code, after every item was tried.
    if (failed) process.exitCode = EXIT.remote;
  });
}

type TemplateOptions = CommonOptions &
  AwsOptions & {
    app: string;
    account?: string;
    format: "json" | "yaml" | "stackset";
    fromAws?: boolean;
    import?: boolean;
    resourcesToImport?: boolean;
  };

async function template(opts: TemplateOptions) {
  return withRuntime(opts, async (rt) => {
    const m = await import("../../core/migration/aws-saml/index.js");
    const c = await context(rt, opts.app, opts);
    const byAccount = rolesByAccount(opts.role ?? [], c.partition);
    if (opts.format === "stackset") {
      const providerName = opts.account ? c.settings.providerNameFor(opts.account) : c.settings.defaultProviderName;
      const t = m.stackSetTemplate({ providerName: providerName ?? undefined, acsUrl: c.settings.acsUrl });
      process.stdout.write(m.renderTemplate(t, "yaml"));
      return;
    }
    const accountId = opts.account ?? [...byAccount.keys()][0];
    if (
      !accountId ||
      !ACCOUNT_ID_PATTERN.test(accountId) ||
      byAccount.size > 1 ||
      (byAccount.size === 1 && !byAccount.has(accountId))
    )
      throw new CliError("a per-account template needs one --account, and --role ARNs in that account only");
    const arns = byAccount.get(accountId) ?? [];
    const target = c.targetFor(accountId);
    let roles: Array<{ name: string; path: string; trustPolicy: string | null }> = arns.map((arn) => {
      const r = parseRoleArn(arn, c.partition);
      return r.ok
        ? { name: r.value.roleName, path: r.value.path, trustPolicy: null }
        : { name: arn, path: "/", trustPolicy: null };
    });
    if (opts.fromAws || opts.import || opts.resourcesToImport) {
      const state = await m.readAccountState(await c.sessions().open(accountId), {
        providerName: target.providerName,
        roleArns: arns,
      });
      roles = state.roles.map((r) => ({ name: r.name, path: r.path, trustPolicy: r.trustPolicy }));
    }
    if (opts.resourcesToImport) return printJson(m.resourcesToImport(roles));
    const template = opts.import ? m.importTemplate(roles) : m.perAccountTemplate(target, roles, accountId);
    process.stdout.write(m.renderTemplate(template, opts.format));
  });
}

export function migrateSamlCommand(): Command {
  const saml = new Command("saml").description("SAML in every account: the target app's provider and role trust");
  withCommonOptions(
    withAwsOptions(
      saml
        .command("template")
        .description("Print a CloudFormation template: per account (json|yaml) or for a StackSet (parameters)")
        .requiredOption("--app <app>", "the target app (slug or id)")
        .option("--account <id>", "the account of a per-account template")
        .addOption(
          new Option("--format <format>", "template kind").choices(["json", "yaml", "stackset"]).default("yaml"),
        )
        .option("--from-aws", "keep each role's current trust statements, read from AWS")
        .option("--import", "the first step for existing roles: them as they are, for a resource import (reads AWS)")
        .option("--resources-to-import", "the --resources-to-import JSON that goes with --import (reads AWS)"),
      false,
    ),
  ).action((opts: TemplateOptions) => template(opts));
  withCommonOptions(
    withAwsOptions(
      saml
        .command("plan")
        .description("Read every account and print the dry-run diff")
        .requiredOption("--app <app>", "the target app"),
      true,
    ),
  ).action((opts: PlanOptions) => planOrApply(opts, false));
  withCommonOptions(
    withAwsOptions(
      saml
        .command("apply")
        .description("Create or update the provider and add the trust statement, account by account")
        .requiredOption("--app <app>", "the target app")
        .option("--dry-run", "print the diff and change nothing"),
      true,
    ),
  ).action((opts: PlanOptions) => planOrApply(opts, !opts.dryRun));
  return saml;
}
