import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, readStdin, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

/** `rolebridge provisioning …`: SCIM provisioning to IAM Identity Center or any SCIM 2.0 server. */
export function registerProvisioningCommands(program: Command): void {
  const prov = program.command("provisioning").description("SCIM provisioning: API token, test, enable/disable, sync");

  withCommonOptions(
    prov
      .command("token")
      .description("Set the app's SCIM API token, read from stdin (sealed at rest, never shown again)")
      .requiredOption("--app <app>", "app slug or id"),
  ).action((opts: CommonOptions & { app: string }) =>
    withRuntime(opts, async (rt) => {
      const token = (await readStdin()).trim();
      if (!token) throw new CliError("pipe the API token on stdin");
      await rt.provisioning.setToken(cliActor(), opts.app, token);
      if (opts.json) return printJson({ app: opts.app, token: "set" });
      printLine(`Stored the API token for ${opts.app}.`);
    }),
  );

  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    withCommonOptions(
      prov
        .command(name)
        .description(
          enabled
            ? "Enable API integration: from now on changes are sent, starting with a full sync"
            : "Stop sending anything to the target (dry runs still work)",
        )
        .requiredOption("--app <app>", "app slug or id"),
    ).action((opts: CommonOptions & { app: string }) =>
      withRuntime(opts, async (rt) => {
        const app = enabled
          ? await rt.provisioning.enable(cliActor(), opts.app)
          : await rt.provisioning.disable(cliActor(), opts.app);
        if (opts.json) return printJson({ app: app.slug, provisioning: { enabled: app.provisioningEnabled } });
        printLine(
          enabled
            ? `Provisioning to ${app.slug} is enabled: a full sync is queued and changes are sent as they happen.`
            : `Provisioning to ${app.slug} is disabled: nothing is sent until it is enabled again.`,
        );
      }),
    );
  }

  withCommonOptions(
    prov.command("test").description("Test API Credentials").requiredOption("--app <app>", "app slug or id"),
  ).action((opts: CommonOptions & { app: string }) =>
    withRuntime(opts, async (rt) => {
      const result = await rt.provisioning.testCredentials(opts.app);
      if (opts.json) printJson(result);
      else
        printLine(
          result.ok
            ? "OK: the target accepted the token"
            : `FAILED (${result.status ?? "no answer"}): ${result.message}`,
        );
      if (!result.ok) process.exitCode = 1;
    }),
  );

  withCommonOptions(
    prov
      .command("retry")
      .description("Try again now for everything in error: a full sync of the app (work the outbox holds is kept)")
      .requiredOption("--app <app>", "app slug or id"),
  ).action((opts: CommonOptions & { app: string }) =>
    withRuntime(opts, async (rt) => {
      const before = (await rt.provisioning.status(opts.app)).filter((o) => o.status === "error").length;
      const report = await rt.provisioning.sync(cliActor(), opts.app);
      const after = (await rt.provisioning.status(opts.app)).filter((o) => o.status === "error");
      if (opts.json) return printJson({ before, after: after.length, report });
      printLine(`${before} in error before, ${after.length} after.`);
      for (const o of after) printLine(`  ${o.kind} ${o.objectId}: ${o.lastError ?? ""}`);
      if (after.length > 0) process.exitCode = 1;
    }),
  );

  withCommonOptions(
    prov
      .command("delete-user")
      .description("DELETE a person on the target (unassigning only deactivates); they must be unassigned first")
      .requiredOption("--app <app>", "app slug or id")
      .requiredOption("--user <login>", "user login or id"),
  ).action((opts: CommonOptions & { app: string; user: string }) =>
    withRuntime(opts, async (rt) => {
      const user = await rt.directory.users.get(opts.user);
      await rt.provisioning.deleteUser(cliActor(), opts.app, user.id);
      if (opts.json) return printJson({ deleted: user.id });
      printLine(`Deleted ${user.profile.login} from the target of ${opts.app}.`);
    }),
  );

  withCommonOptions(
    prov
      .command("status")
      .description("Each provisioned person and pushed group: remote id, status, last error")
      .requiredOption("--app <app>", "app slug or id"),
  ).action((opts: CommonOptions & { app: string }) =>
    withRuntime(opts, async (rt) => {
      const objects = await rt.provisioning.status(opts.app);
      if (opts.json) return printJson(objects);
      printTable(
        ["KIND", "ID", "REMOTE ID", "STATUS", "SYNCED", "LAST ERROR"],
        objects.map((o) => [o.kind, o.objectId, o.remoteId, o.status, o.syncedAt, o.lastError]),
      );
    }),
  );

  withCommonOptions(
    prov
      .command("sync")
      .description("Full reconciliation: read the target, diff, apply the fewest changes; exit 0 when it matches")
      .requiredOption("--app <app>", "app slug or id")
      .option("--dry-run", "print the changes and send nothing"),
  ).action((opts: CommonOptions & { app: string; dryRun?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const report = await rt.provisioning.sync(cliActor(), opts.app, { dryRun: opts.dryRun ?? false });
      const failed = report.results.filter((r) => r.status === "error");
      if (opts.json) printJson(report);
      else {
        const inSync = report.changes === 0 && failed.length === 0;
        if (!inSync) for (const line of report.plan) printLine(line);
        for (const [kind, state] of Object.entries(report.listings ?? {}))
          if (state === "incomplete")
            printLine(`note: the target's ${kind} listing could not be proven complete; missing ones were looked up.`);
        if (inSync) {
          // Said once and plainly: an empty table and "0 applied" read like something went wrong.
          const { people, groups } = report.scope;
          printLine(
            `Nothing to do: ${opts.app} is in sync (${people} ${people === 1 ? "person" : "people"}, ${groups} ${groups === 1 ? "group" : "groups"}).`,
          );
        } else if (!report.dryRun) {
          printTable(
            ["KIND", "OBJECT", "STATUS", "ERROR"],
            report.results.map((r) => [r.kind, r.externalId, r.status, r.error?.message ?? ""]),
          );
          printLine(
            `${report.results.length - failed.length} applied, ${failed.length} failed, ${report.requests} requests.`,
          );
        }
      }
      if (failed.length > 0) process.exitCode = 1;
    }),
  );
}
