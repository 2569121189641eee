import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { Command, Option } from "commander";
import { validateAwsFederationSettings } from "../../core/apps/aws-federation-settings.js";
import { cliActor } from "../../core/audit.js";
import { policyDiff } from "../../core/policy/diff.js";
import { type Finding, SEVERITY_ORDER, type Severity } from "../../core/policy/findings.js";
import { proofTable } from "../../core/policy/proof.js";
import type { Runtime } from "../../runtime.js";
import { type CommonOptions, readStdin, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

interface AppOptions extends CommonOptions {
  app: string;
  adminFromEnv?: boolean;
}

const where = (f: Finding) =>
  [f.policy, f.statement !== undefined ? `#${f.statement}` : undefined, f.line ? `${f.line}:${f.column}` : undefined]
    .filter(Boolean)
    .join(" ");

function printFindings(findings: Finding[]): void {
  if (!findings.length) {
    printLine("No findings.");
    return;
  }
  printTable(
    ["SEVERITY", "CODE", "WHERE", "MESSAGE"],
    findings.map((f) => [
      f.severity,
      f.code,
      where(f) || "-",
      f.suggestion ? `${f.message} [suggest: ${f.suggestion}]` : f.message,
    ]),
  );
}

/**
 * A `serve --demo` data dir keeps the AWS sandbox's state in <dir>/sandbox. When that server is stopped, the
 * command runs the sandbox itself, on the port the demo app points at, so the demo's apps keep working.
 */
async function withDemoSandbox<T>(rt: Runtime, appRef: string, fn: () => Promise<T>): Promise<T> {
  const app = await rt.apps.get(appRef);
  const endpoint =
    app.type === "aws-account-federation" ? validateAwsFederationSettings(app.settings).api.endpointUrl : null;
  const stateDir = join(rt.config.dataDir, "sandbox");
  const url = endpoint ? new URL(endpoint) : null;
  const local = url && ["127.0.0.1", "localhost"].includes(url.hostname) && existsSync(join(stateDir, "sandbox.db"));
  if (
    !url ||
    !local ||
    (await fetch(new URL("/healthz", url)).then(
      (r) => r.ok,
      () => false,
    ))
  )
    return fn();
  const { startSandbox } = await import("../../sandbox/index.js");
  const sandbox = await startSandbox({
    port: Number(url.port),
    host: url.hostname,
    dataDir: stateDir,
    fixture: "demo",
  });
  process.stderr.write(
    `rolebridge: the demo's AWS sandbox was not running; serving ${stateDir} at ${url.origin} for this command\n`,
  );
  try {
    return await fn();
  } finally {
    await sandbox.close();
  }
}

/** `--admin-from-env`: the standard AWS variables hold IAM administrator keys for this one command. */
function adminFromEnv(enabled: boolean | undefined) {
  if (!enabled) return {};
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  if (!AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY)
    throw new CliError(
      "--admin-from-env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a session)",
    );
  return {
    admin: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: AWS_SESSION_TOKEN },
  };
}

const adminEnvOption = () =>
  new Option("--admin-from-env", "read and write the policy with the keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");

const appOption = () => new Option("--app <app>", "the legacy API-mode app (slug or id)").makeOptionMandatory();

/**
 * `migrate policy …`: the IAM policy of the legacy API-mode user — audit it (or a document), replace it with the
 * least-privilege policy proven by simulation, roll it back.
 */
export function policyCommand(): Command {
  const policy = new Command("policy").description(
    "Audit, narrow (least privilege, proven by simulation) and roll back the legacy API-mode user's IAM policy",
  );

  withCommonOptions(
    policy
      .command("audit")
      .description(
        "Findings about the principal's policies (or a policy document), its keys and the cross-account roles",
      )
      .addOption(appOption())
      .addOption(adminEnvOption())
      .option("--file <policy.json>", "audit this policy document instead of what AWS has")
      .option("--principal <arn>", "audit this IAM user or role instead of the keys' own user")
      .addOption(
        new Option("--fail-on <severity>", "exit 1 when a finding this severe or worse exists").choices([
          "high",
          "medium",
          "low",
          "info",
        ]),
      ),
  ).action((opts: AppOptions & { file?: string; principal?: string; failOn?: Severity }) =>
    withRuntime(opts, async (rt) => {
      let file: { name: string; text: string } | undefined;
      if (opts.file) {
        try {
          file = { name: basename(opts.file), text: readFileSync(opts.file, "utf8") };
        } catch (err) {
          throw new CliError(`cannot read ${opts.file}: ${(err as Error).message}`);
        }
      }
      const report = await withDemoSandbox(rt, opts.app, () =>
        rt.policy.audit(opts.app, {
          ...(file ? { file } : {}),
          ...(opts.principal ? { principalArn: opts.principal } : {}),
          ...adminFromEnv(opts.adminFromEnv),
        }),
      );
      if (opts.json) printJson(report.findings);
      else {
        printLine(`Audit of ${file ? file.name : report.principalArn} (app ${report.app}):`);
        printFindings(report.findings);
        printLine();
        printLine("The least-privilege policy the integration needs (rolebridge migrate policy fix applies it):");
        printLine(JSON.stringify(report.proposed, null, 2));
      }
      const failOn = opts.failOn;
      if (failOn && report.findings.some((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[failOn]))
        process.exitCode = 1;
    }),
  );

  withCommonOptions(
    policy
      .command("fix")
      .description(
        "Write the least-privilege policy, verify the integration through it, restore the old one on failure",
      )
      .addOption(appOption())
      .addOption(adminEnvOption())
      .option("--dry-run", "show the change and the proof; write nothing")
      .option("--yes", "apply without asking"),
  ).action((opts: AppOptions & { dryRun?: boolean; yes?: boolean }) =>
    withRuntime(opts, async (rt) => {
      if (!opts.dryRun && !opts.yes)
        throw new CliError("pass --yes to apply the narrowed policy (or --dry-run to see it)");
      const report = await withDemoSandbox(rt, opts.app, () =>
        rt.policy.fix(cliActor(), opts.app, { dryRun: opts.dryRun === true, ...adminFromEnv(opts.adminFromEnv) }),
      );
      if (opts.json) return printJson({ ...report, diff: policyDiff(report.before, report.after) });
      const where =
        report.target.kind === "managed"
          ? report.target.policyArn
          : `inline policy ${report.target.policyName} of ${report.target.principalName}`;
      printLine(`Policy of ${report.principalArn}: ${where}`);
      printLine(policyDiff(report.before, report.after));
      printLine();
      printLine("Proof (IAM policy simulation of the policies after the change):");
      printLine(proofTable(report.proof));
      printLine();
      if (!report.changed) printLine("The policy is already the least-privilege policy; nothing to do.");
      else if (report.dryRun) printLine("Dry run: nothing was written.");
      else
        printLine(
          `Applied and verified (Test API Credentials and a refresh of every account). Backup ${report.backupId}; undo with: rolebridge migrate policy rollback --app ${report.app} --yes`,
        );
    }),
  );

  withCommonOptions(
    policy
      .command("rollback")
      .description("Restore the policy saved by the last fix")
      .addOption(appOption())
      .addOption(adminEnvOption())
      .option("--yes", "confirm"),
  ).action((opts: AppOptions & { yes?: boolean }) =>
    withRuntime(opts, async (rt) => {
      if (!opts.yes) throw new CliError("pass --yes to restore the saved policy");
      const { app, backup } = await withDemoSandbox(rt, opts.app, () =>
        rt.policy.rollback(cliActor(), opts.app, adminFromEnv(opts.adminFromEnv)),
      );
      if (opts.json) return printJson({ app, backupId: backup.id, target: backup.target, status: backup.status });
      printLine(`Restored the policy saved by fix ${backup.id} on ${app}.`);
    }),
  );

  withCommonOptions(
    policy
      .command("admin-credentials")
      .description(
        "IAM administrator keys used to read and write the principal's policies; the secret is read from stdin",
      )
      .addOption(appOption())
      .requiredOption("--access-key-id <id>", "AKIA…"),
  ).action((opts: AppOptions & { accessKeyId: string }) =>
    withRuntime(opts, async (rt) => {
      const secretAccessKey = (await readStdin()).trim();
      if (!secretAccessKey) throw new CliError("pipe the secret access key on stdin");
      await rt.policy.setAdminCredentials(cliActor(), opts.app, { accessKeyId: opts.accessKeyId, secretAccessKey });
      if (opts.json) return printJson({ app: opts.app, accessKeyId: opts.accessKeyId });
      printLine(`Stored the policy administrator key for ${opts.app}.`);
    }),
  );
  return policy;
}
