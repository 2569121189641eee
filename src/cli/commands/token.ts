import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import type { ApiToken } from "../../core/directory/model.js";
import { type CommonOptions, positiveInt, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine, printTable } from "../output.js";

const state = (t: ApiToken) =>
  t.revokedAt ? "revoked" : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? "expired" : "active";

export function registerTokenCommands(program: Command): void {
  const token = program.command("token").description("API tokens for the admin API");

  withCommonOptions(
    token
      .command("create")
      .description("Create an API token; the secret is printed once, as the last line of stdout")
      .requiredOption("--name <name>", "what the token is for, e.g. terraform")
      .option("--expires-days <days>", "expire after this many days (default: never)", positiveInt(36_500)),
  ).action((opts: CommonOptions & { name: string; expiresDays?: number }) =>
    withRuntime(opts, async (rt) => {
      const { token: t, secret } = await rt.tokens.create(cliActor(), {
        name: opts.name,
        expiresInDays: opts.expiresDays,
      });
      if (opts.json) return printJson({ ...t, token: secret });
      printLine(`Created API token ${t.id} (${t.name})${t.expiresAt ? `, expires ${t.expiresAt}` : ""}.`);
      printLine("Store it now: it is shown only once. Use it as `Authorization: Bearer <token>`.");
      printLine(secret);
    }),
  );

  withCommonOptions(token.command("list").description("List API tokens (never their secrets)")).action(
    (opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const tokens = await rt.tokens.list();
        if (opts.json) return printJson(tokens);
        printTable(
          ["ID", "NAME", "PREFIX", "STATE", "CREATED", "LAST USED", "EXPIRES"],
          tokens.map((t) => [t.id, t.name, t.prefix, state(t), t.created, t.lastUsed, t.expiresAt]),
        );
      }),
  );

  withCommonOptions(
    token.command("revoke").description("Revoke an API token at once").argument("<id>", "token id (tok_…)"),
  ).action((id: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const t = await rt.tokens.revoke(cliActor(), id);
      if (opts.json) return printJson(t);
      printLine(`Revoked API token ${t.id} (${t.name}).`);
    }),
  );
}
