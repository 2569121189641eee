import { AwsError } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { requiredString } from "../protocol/params.js";
import { Members } from "../protocol/query.js";
import { authorizedUser } from "./lookup.js";
import { targetUserName } from "./users.js";

const ACCESS_KEY_ID = { min: 16, max: 128, pattern: /^[\w]+$/, patternText: "[\\w]+" };

const listAccessKeys: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const user = await authorizedUser(ctx, caller.accountId, targetUserName(ctx), "iam:ListAccessKeys");
  return {
    AccessKeyMetadata: new Members(
      user.accessKeys.map((k) => ({
        UserName: user.name,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createDate),
      })),
    ),
    IsTruncated: false,
  };
};

/** AWS answers for any key of the caller's account; "N/A" service and region for a key never used. */
const getAccessKeyLastUsed: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const keyId = requiredString(ctx.input, "AccessKeyId", ACCESS_KEY_ID);
  const owner = ctx.store.state.users.find(
    (u) => u.accountId === caller.accountId && u.accessKeys.some((k) => k.accessKeyId === keyId),
  );
  if (!owner) throw new AwsError("AccessDenied", `The access key ${keyId} is not in your account.`, 403);
  await ctx.authorize({ action: "iam:GetAccessKeyLastUsed", resource: owner.arn });
  const used = ctx.store.keyUse.get(keyId);
  return {
    UserName: owner.name,
    AccessKeyLastUsed: used
      ? { LastUsedDate: used.date, ServiceName: used.serviceName, Region: used.region }
      : { ServiceName: "N/A", Region: "N/A" },
  };
};

export const accessKeyOperations = {
  ListAccessKeys: listAccessKeys,
  GetAccessKeyLastUsed: getAccessKeyLastUsed,
};
