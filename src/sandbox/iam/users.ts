import { AwsError, validationError } from "../protocol/errors.js";
import { type OperationContext, type QueryHandler, type QueryInput, requireCaller } from "../protocol/handlers.js";
import { optionalString, RULES, requiredString } from "../protocol/params.js";
import { iamId, secretKey } from "../state/ids.js";
import type { User } from "../state/model.js";
import { checkPolicyDocument, encodeDocument } from "./documents.js";
import { byPathPrefix, page } from "./lists.js";
import { authorizedUser, getPolicy, getUser } from "./lookup.js";

const MAX_ACCESS_KEYS = 2;
const MAX_ATTACHED_POLICIES = 10;

export const renderUser = (user: User) => ({
  Path: user.path,
  UserName: user.name,
  UserId: user.userId,
  Arn: user.arn,
  CreateDate: new Date(user.createDate),
});

/** Operations whose UserName is optional act on the calling user, which a role session is not. */
export function targetUserName(ctx: OperationContext<QueryInput>): string {
  const caller = requireCaller(ctx);
  const named = optionalString(ctx.input, "UserName", RULES.userName);
  if (named !== undefined) return named;
  if (caller.kind !== "user") throw validationError("Must specify userName when calling with non-User credentials");
  return caller.user.name;
}

const getUserHandler: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const user = await authorizedUser(ctx, caller.accountId, targetUserName(ctx), "iam:GetUser");
  return { User: renderUser(user) };
};

const listUsers: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const prefix = optionalString(ctx.input, "PathPrefix", RULES.pathPrefix) ?? "/";
  await ctx.authorize({
    action: "iam:ListUsers",
    resource: "*",
    displayResource: `arn:aws:iam::${caller.accountId}:user${prefix}`,
  });
  const users = byPathPrefix(
    ctx.store.state.users.filter((u) => u.accountId === caller.accountId),
    prefix,
  );
  return page(ctx.input, users, (u) => u.name.toLowerCase(), "Users", renderUser);
};

const createAccessKey: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = targetUserName(ctx);
  const user = await authorizedUser(ctx, caller.accountId, name, "iam:CreateAccessKey");
  const key = ctx.store.mutate((state) => {
    const target = getUser(state, caller.accountId, name);
    if (target.accessKeys.length >= MAX_ACCESS_KEYS) {
      throw new AwsError("LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`, 409);
    }
    const created = {
      accessKeyId: iamId("AKIA"),
      secretAccessKey: secretKey(),
      status: "Active" as const,
      createDate: ctx.now.toISOString(),
    };
    target.accessKeys.push(created);
    return created;
  });
  return {
    AccessKey: {
      UserName: user.name,
      AccessKeyId: key.accessKeyId,
      Status: key.status,
      SecretAccessKey: key.secretAccessKey,
      CreateDate: new Date(key.createDate),
    },
  };
};

const listAttachedUserPolicies: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const prefix = optionalString(ctx.input, "PathPrefix", RULES.pathPrefix) ?? "/";
  const user = await authorizedUser(ctx, caller.accountId, name, "iam:ListAttachedUserPolicies");
  const attached = user.attachedPolicyArns.flatMap((arn) => ctx.store.state.policies.filter((p) => p.arn === arn));
  return page(
    ctx.input,
    byPathPrefix(attached, prefix),
    (p) => p.arn,
    "AttachedPolicies",
    (p) => ({
      PolicyName: p.name,
      PolicyArn: p.arn,
    }),
  );
};

const listUserPolicies: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const user = await authorizedUser(ctx, caller.accountId, name, "iam:ListUserPolicies");
  return page(
    ctx.input,
    Object.keys(user.inlinePolicies),
    (n) => n,
    "PolicyNames",
    (n) => n,
  );
};

const getUserPolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const policyName = requiredString(ctx.input, "PolicyName", RULES.policyName);
  const user = await authorizedUser(ctx, caller.accountId, name, "iam:GetUserPolicy");
  const document = user.inlinePolicies[policyName];
  if (document === undefined) {
    throw new AwsError("NoSuchEntity", `The user policy with name ${policyName} cannot be found.`, 404);
  }
  return { UserName: user.name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
};

const putUserPolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const policyName = requiredString(ctx.input, "PolicyName", RULES.policyName);
  const document = requiredString(ctx.input, "PolicyDocument", RULES.document);
  await authorizedUser(ctx, caller.accountId, name, "iam:PutUserPolicy");
  checkPolicyDocument(document, "identity");
  ctx.store.mutate((state) => {
    const target = getUser(state, caller.accountId, name);
    const others = Object.entries(target.inlinePolicies).filter(([n]) => n !== policyName);
    const total = others.reduce((sum, [, text]) => sum + text.replace(/\s/g, "").length, 0);
    if (total + document.replace(/\s/g, "").length > 2048) {
      throw new AwsError("LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user " + target.name, 409);
    }
    target.inlinePolicies[policyName] = document;
  });
  return null;
};

const deleteUserPolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const policyName = requiredString(ctx.input, "PolicyName", RULES.policyName);
  await authorizedUser(ctx, caller.accountId, name, "iam:DeleteUserPolicy");
  ctx.store.mutate((state) => {
    const target = getUser(state, caller.accountId, name);
    if (target.inlinePolicies[policyName] === undefined) {
      throw new AwsError("NoSuchEntity", `The user policy with name ${policyName} cannot be found.`, 404);
    }
    delete target.inlinePolicies[policyName];
  });
  return null;
};

const attachUserPolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "UserName", RULES.userName);
  const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
  await authorizedUser(ctx, caller.accountId, name, "iam:AttachUserPolicy");
  ctx.store.mutate((state) => {
    const target = getUser(state, caller.accountId, name);
    getPolicy(state, caller.accountId, arn);
    if (target.attachedPolicyArns.includes(arn)) return;
    if (target.attachedPolicyArns.length >= MAX_ATTACHED_POLICIES) {
      throw new AwsError("LimitExceeded", `Cannot exceed quota for PoliciesPerUser: ${MAX_ATTACHED_POLICIES}`, 409);
    }
    target.attachedPolicyArns.push(arn);
  });
  return null;
};

export const userOperations = {
  GetUser: getUserHandler,
  ListUsers: listUsers,
  CreateAccessKey: createAccessKey,
  ListAttachedUserPolicies: listAttachedUserPolicies,
  ListUserPolicies: listUserPolicies,
  GetUserPolicy: getUserPolicy,
  PutUserPolicy: putUserPolicy,
  DeleteUserPolicy: deleteUserPolicy,
  AttachUserPolicy: attachUserPolicy,
};
