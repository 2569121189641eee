import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

/** `rolebridge apps aws …`: legacy API mode (IAM user keys, Test API Credentials, Refresh Application Data). */
export function registerLegacyApiCommands(apps: Command): void {
  const aws = apps
    .command("aws")
    .description("Legacy API mode: IAM user keys, Test API Credentials, Refresh Application Data");
  withCommonOptions(
    aws
      .command("credentials")
      .description("Set the IAM user's access key; the secret is read from stdin and sealed at rest")
      .argument("<app>", "slug or id")
      .requiredOption("--access-key-id <id>", "AKIA…"),
  ).action((ref: string, opts: CommonOptions & { accessKeyId: string }) =>
    withRuntime(opts, async (rt) => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const secretAccessKey = Buffer.concat(chunks).toString("utf8").trim();
      if (!secretAccessKey) throw new CliError("pipe the secret access key on stdin");
      await rt.legacyApi.setCredentials(cliActor(), ref, { accessKeyId: opts.accessKeyId, secretAccessKey });
      if (opts.json) return printJson({ app: ref, accessKeyId: opts.accessKeyId });
      printLine(`Stored the access key for ${ref}.`);
    }),
  );
  withCommonOptions(aws.command("test").description("Test API Credentials").argument("<app>", "slug or id")).action(
    (ref: string, opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const result = await rt.legacyApi.testCredentials(ref);
        if (opts.json) printJson(result);
        else
          printLine(
            result.ok
              ? `OK: ${result.arn} in account ${result.accountId}`
              : `FAILED: ${result.code}: ${result.message}`,
          );
        if (!result.ok) process.exitCode = 1;
      }),
  );
  withCommonOptions(
    aws
      .command("refresh")
      .description("Refresh Application Data: role lists of every connected account")
      .argument("<app>", "slug or id"),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const summary = await rt.legacyApi.refresh(cliActor(), ref);
      if (opts.json) return printJson(summary);
      printTable(
        ["ACCOUNT", "ALIAS", "STATUS", "ROLES", "ERROR"],
        summary.accounts.map((a) => [a.accountId, a.alias, a.status, a.roleCount, a.error]),
      );
      printLine(`Refresh ${summary.status}.`);
    }),
  );
  withCommonOptions(
    aws
      .command("roles")
      .description("Role lists per account from the last refresh (roles people can be signed in to)")
      .argument("<app>", "slug or id")
      .option("--all", "also the roles whose trust policy admits no SAML provider (marked NOT SAML)"),
  ).action((ref: string, opts: CommonOptions & { all?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const { lists, lastRefresh, hiddenRoles } = await rt.legacyApi.roleLists(ref, { all: opts.all ?? false });
      if (opts.json) return printJson({ lists, lastRefresh, hiddenRoles });
      printLine(`Last refresh: ${lastRefresh ? `${lastRefresh.status} at ${lastRefresh.startedAt}` : "never"}`);
      for (const l of lists)
        for (const r of l.roles)
          printLine(`${l.accountId}  ${l.alias ?? "-"}  ${r.arn}${r.samlAssumable === false ? "  (NOT SAML)" : ""}`);
      if (hiddenRoles > 0)
        printLine(`${hiddenRoles} role(s) no SAML provider can assume are not shown (--all shows them).`);
    }),
  );
}
