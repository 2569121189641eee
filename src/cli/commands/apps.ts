import { type Command, InvalidArgumentError, Option } from "commander";
import { appJson } from "../../core/apps/app-json.js";
import { createAppWithKey } from "../../core/apps/create.js";
import type { App, AppType } from "../../core/apps/model.js";
import { cliActor } from "../../core/audit.js";
import { type CommonOptions, publicUrlIsGuessed, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";
import { registerAssignmentCommands } from "./app-assignments.js";
import { registerLegacyApiCommands } from "./app-legacy-api.js";
import { registerLintCommand } from "./app-lint.js";
import { bitsOf, bitsOption, registerKeyCommands } from "./app-signing-keys.js";

function jsonObject(flag: string) {
  return (value: string): Record<string, unknown> => {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // fall through to the usage error
    }
    throw new InvalidArgumentError(`${flag} must be a JSON object, e.g. '{"useGroupMapping":true}'`);
  };
}

const describeApp = (a: App) => `${a.slug} (${a.id}) ${a.type} ${a.status} — ${a.label}`;

/** `rolebridge apps …`: create, configure, assign and switch off AWS apps; signing keys; legacy API mode. */
export function registerAppCommands(program: Command): void {
  const apps = program.command("apps").description("Applications (AWS Account Federation) and their assignments");

  withCommonOptions(apps.command("list").description("List apps")).action((opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const page = await rt.apps.list({ limit: 200 });
      if (opts.json) return printJson(page.items.map(appJson));
      printTable(
        ["SLUG", "ID", "TYPE", "STATUS", "LABEL"],
        page.items.map((a) => [a.slug, a.id, a.type, a.status, a.label]),
      );
    }),
  );

  withCommonOptions(
    apps.command("get").description("Show an app and its settings").argument("<app>", "slug or id"),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const a = await rt.apps.get(ref);
      if (opts.json) return printJson(appJson(a));
      printLine(describeApp(a));
      printLine(JSON.stringify(a.settings, null, 2));
    }),
  );

  withCommonOptions(
    apps
      .command("create")
      .description("Create an app (AWS Account Federation by default) with an active signing key")
      .requiredOption("--slug <slug>", "stable handle used in URLs, e.g. aws-prod")
      .requiredOption("--label <label>", "what people see on their dashboard")
      .addOption(
        new Option("--type <type>", "kind of app")
          .choices(["aws-account-federation", "aws-iam-identity-center", "generic-scim2"])
          .default("aws-account-federation"),
      )
      .option("--base-url <url>", "provisioning apps: the SCIM Base URL (no trailing slash)")
      .option("--settings <json>", "settings as a JSON object", jsonObject("--settings"))
      .addOption(bitsOption()),
  ).action(
    (
      opts: CommonOptions & {
        slug: string;
        label: string;
        type: AppType;
        baseUrl?: string;
        settings?: Record<string, unknown>;
        bits: string;
      },
    ) =>
      withRuntime(opts, async (rt) => {
        const settings = { ...opts.settings, ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) };
        const a = await createAppWithKey(
          rt,
          cliActor(),
          { slug: opts.slug, type: opts.type, label: opts.label, settings },
          bitsOf(opts.bits),
        );
        // The entityID cannot change later, so a guessed base URL is said out loud (stderr: stdout stays the result).
        if (publicUrlIsGuessed(rt) && a.type === "aws-account-federation")
          process.stderr.write(
            `rolebridge: note: no server has run on this data yet and ROLEBRIDGE_PUBLIC_URL is not set, so the app's ` +
              `entityID uses ${rt.publicUrl}, for good; start the server first or set ROLEBRIDGE_PUBLIC_URL\n`,
          );
        if (opts.json) return printJson(appJson(a));
        printLine(`Created ${describeApp(a)}`);
        if (a.type === "aws-account-federation") {
          printLine(
            `IdP metadata for AWS: ${rt.publicUrl}/app/${a.slug}/saml/metadata (or: rolebridge saml metadata --app ${a.slug})`,
          );
        } else {
          printLine(
            `Next: pipe the API token to \`rolebridge provisioning token --app ${a.slug}\`, then \`provisioning test\`.`,
          );
        }
      }),
  );

  withCommonOptions(
    apps
      .command("update")
      .description("Change the label or settings (merged over the current ones, then validated whole)")
      .argument("<app>", "slug or id")
      .option("--label <label>", "new label")
      .option("--settings <json>", "settings to change, as a JSON object", jsonObject("--settings")),
  ).action((ref: string, opts: CommonOptions & { label?: string; settings?: Record<string, unknown> }) =>
    withRuntime(opts, async (rt) => {
      if (opts.label === undefined && opts.settings === undefined) throw new CliError("give --label or --settings");
      const a = await rt.apps.update(cliActor(), ref, { label: opts.label, settings: opts.settings });
      if (opts.json) return printJson(appJson(a));
      printLine(`Updated ${describeApp(a)}`);
    }),
  );

  for (const [name, status, what] of [
    ["activate", "ACTIVE", "Switch an app on"],
    ["deactivate", "INACTIVE", "Switch an app off: it signs no one in"],
  ] as const) {
    withCommonOptions(apps.command(name).description(what).argument("<app>", "slug or id")).action(
      (ref: string, opts: CommonOptions) =>
        withRuntime(opts, async (rt) => {
          const a = await rt.apps.setStatus(cliActor(), ref, status);
          if (opts.json) return printJson(appJson(a));
          printLine(describeApp(a));
        }),
    );
  }

  withCommonOptions(
    apps.command("delete").description("Delete a deactivated app").argument("<app>", "slug or id"),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      await rt.apps.delete(cliActor(), ref);
      if (opts.json) return printJson({ deleted: ref });
      printLine(`Deleted ${ref}.`);
    }),
  );

  registerLintCommand(apps);
  registerAssignmentCommands(apps);
  registerKeyCommands(apps);
  registerLegacyApiCommands(apps);
}
