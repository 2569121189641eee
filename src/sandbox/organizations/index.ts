import type { JsonService } from "../protocol/dispatch.js";
import { AwsError } from "../protocol/errors.js";
import { type JsonHandler, requireCaller } from "../protocol/handlers.js";
import type { Account, SandboxState } from "../state/model.js";

const invalidInput = (reason: string, message: string) =>
  new AwsError("InvalidInputException", message, 400, "Sender", { Reason: reason });

const accountArn = (state: Readonly<SandboxState>, id: string) =>
  `arn:aws:organizations::${state.organization.managementAccountId}:account/${state.organization.id}/${id}`;

/** JSON 1.1 timestamps are epoch seconds. */
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function renderAccount(state: Readonly<SandboxState>, account: Account) {
  return {
    Id: account.id,
    Arn: accountArn(state, account.id),
    Email: account.email,
    Name: account.name,
    Status: "ACTIVE",
    State: "ACTIVE",
    JoinedMethod: account.id === state.organization.managementAccountId ? "CREATED" : "INVITED",
    JoinedTimestamp: epochSeconds(account.joinedTimestamp),
  };
}

/** Only the management account may read the organization's accounts. */
function requireManagement(state: Readonly<SandboxState>, accountId: string): void {
  if (accountId !== state.organization.managementAccountId) {
    throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.", 400);
  }
}

const listAccounts: JsonHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const state = ctx.store.state;
  const { MaxResults, NextToken } = ctx.input;
  if (
    MaxResults !== undefined &&
    (!Number.isInteger(MaxResults) || (MaxResults as number) < 1 || (MaxResults as number) > 20)
  ) {
    throw invalidInput("INVALID_INPUT", "You provided a value that does not match the required pattern.");
  }
  let start = 0;
  if (NextToken !== undefined) {
    const decoded =
      typeof NextToken === "string" ? /^n1:(\d+)$/.exec(Buffer.from(NextToken, "base64url").toString()) : null;
    if (!decoded) throw invalidInput("INVALID_PAGINATION_TOKEN", "You specified an invalid value for nextToken.");
    start = Number(decoded[1]);
  }
  await ctx.authorize({ action: "organizations:ListAccounts", resource: "*" });
  requireManagement(state, caller.accountId);
  const sorted = [...state.accounts].sort((a, b) => a.id.localeCompare(b.id));
  const limit = (MaxResults as number | undefined) ?? 20;
  const shown = sorted.slice(start, start + limit);
  const next = start + limit < sorted.length ? Buffer.from(`n1:${start + limit}`).toString("base64url") : undefined;
  return { Accounts: shown.map((a) => renderAccount(state, a)), ...(next ? { NextToken: next } : {}) };
};

const describeOrganization: JsonHandler = async (ctx) => {
  requireCaller(ctx);
  const state = ctx.store.state;
  await ctx.authorize({ action: "organizations:DescribeOrganization", resource: "*" });
  const management = state.accounts.find((a) => a.id === state.organization.managementAccountId);
  return {
    Organization: {
      Id: state.organization.id,
      Arn: `arn:aws:organizations::${state.organization.managementAccountId}:organization/${state.organization.id}`,
      FeatureSet: state.organization.featureSet,
      MasterAccountArn: accountArn(state, state.organization.managementAccountId),
      MasterAccountId: state.organization.managementAccountId,
      MasterAccountEmail: management?.email,
      AvailablePolicyTypes: [],
    },
  };
};

const describeAccount: JsonHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const state = ctx.store.state;
  const { AccountId } = ctx.input;
  if (AccountId === undefined)
    throw invalidInput(
      "INVALID_INPUT",
      "1 validation error detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null",
    );
  if (typeof AccountId !== "string" || !/^\d{12}$/.test(AccountId)) {
    throw invalidInput("INVALID_INPUT", "You provided a value that does not match the required pattern.");
  }
  await ctx.authorize({ action: "organizations:DescribeAccount", resource: accountArn(state, AccountId) });
  requireManagement(state, caller.accountId);
  const account = state.accounts.find((a) => a.id === AccountId);
  if (!account) throw new AwsError("AccountNotFoundException", "You specified an account that doesn't exist.", 400);
  return { Account: renderAccount(state, account) };
};

export const organizationsService: JsonService = {
  targetPrefix: "AWSOrganizationsV20161128",
  operations: {
    ListAccounts: listAccounts,
    DescribeOrganization: describeOrganization,
    DescribeAccount: describeAccount,
  },
};
