import { AwsError } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { requiredString } from "../protocol/params.js";
import { Members } from "../protocol/query.js";

const ALIAS_RULE = {
  min: 3,
  max: 63,
  pattern: /^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/,
  patternText: "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
};

const listAccountAliases: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  await ctx.authorize({ action: "iam:ListAccountAliases", resource: "*" });
  const alias = ctx.store.state.accounts.find((a) => a.id === caller.accountId)?.alias;
  return { AccountAliases: new Members(alias ? [alias] : []), IsTruncated: false };
};

/** An account has at most one alias; creating another replaces it. Aliases are unique across AWS. */
const createAccountAlias: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const alias = requiredString(ctx.input, "AccountAlias", ALIAS_RULE);
  await ctx.authorize({ action: "iam:CreateAccountAlias", resource: "*" });
  ctx.store.mutate((state) => {
    if (state.accounts.some((a) => a.alias === alias && a.id !== caller.accountId)) {
      throw new AwsError("EntityAlreadyExists", `The account alias ${alias} already exists.`, 409);
    }
    const account = state.accounts.find((a) => a.id === caller.accountId);
    if (account) account.alias = alias;
  });
  return null;
};

export const aliasOperations = { ListAccountAliases: listAccountAliases, CreateAccountAlias: createAccountAlias };
