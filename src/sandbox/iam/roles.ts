import { AwsError } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { optionalInteger, optionalString, RULES, requiredString } from "../protocol/params.js";
import { roleArn } from "../state/arns.js";
import { iamId } from "../state/ids.js";
import type { Role } from "../state/model.js";
import { checkPolicyDocument, encodeDocument } from "./documents.js";
import { byPathPrefix, page } from "./lists.js";
import { authorizedRole, findRole, getRole } from "./lookup.js";

export function renderRole(role: Role) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodeDocument(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
  };
}

const listRoles: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const prefix = optionalString(ctx.input, "PathPrefix", RULES.pathPrefix) ?? "/";
  await ctx.authorize({
    action: "iam:ListRoles",
    resource: "*",
    displayResource: `arn:aws:iam::${caller.accountId}:role${prefix}`,
  });
  const roles = byPathPrefix(
    ctx.store.state.roles.filter((r) => r.accountId === caller.accountId),
    prefix,
  );
  return page(ctx.input, roles, (r) => r.name.toLowerCase(), "Roles", renderRole);
};

const getRoleHandler: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const role = await authorizedRole(ctx, caller.accountId, name, "iam:GetRole");
  return { Role: renderRole(role) };
};

const createRole: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const path = optionalString(ctx.input, "Path", RULES.path) ?? "/";
  const trustPolicy = requiredString(ctx.input, "AssumeRolePolicyDocument", RULES.document);
  const description = optionalString(ctx.input, "Description", RULES.description);
  const maxSessionDuration = optionalInteger(ctx.input, "MaxSessionDuration", 3600, 43200) ?? 3600;
  const arn = roleArn(caller.accountId, path, name);
  await ctx.authorize({ action: "iam:CreateRole", resource: arn });
  checkPolicyDocument(trustPolicy, "trust");
  const role = ctx.store.mutate((state) => {
    if (findRole(state, caller.accountId, name)) {
      throw new AwsError("EntityAlreadyExists", `Role with name ${name} already exists.`, 409);
    }
    const created: Role = {
      accountId: caller.accountId,
      name,
      path,
      arn,
      roleId: iamId("AROA"),
      description,
      maxSessionDuration,
      trustPolicy,
      inlinePolicies: {},
      attachedPolicyArns: [],
      createDate: ctx.now.toISOString(),
    };
    state.roles.push(created);
    return created;
  });
  return { Role: renderRole(role) };
};

const deleteRole: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  await authorizedRole(ctx, caller.accountId, name, "iam:DeleteRole");
  ctx.store.mutate((state) => {
    const current = getRole(state, caller.accountId, name);
    if (Object.keys(current.inlinePolicies).length > 0) {
      throw new AwsError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409);
    }
    if (current.attachedPolicyArns.length > 0) {
      throw new AwsError("DeleteConflict", "Cannot delete entity, must detach all policies first.", 409);
    }
    state.roles = state.roles.filter((r) => r.arn !== current.arn);
    // Sessions of a deleted role stop working, as in AWS.
    state.sessions = state.sessions.filter((s) => s.roleArn !== current.arn);
  });
  return null;
};

const updateAssumeRolePolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const document = requiredString(ctx.input, "PolicyDocument", RULES.document);
  await authorizedRole(ctx, caller.accountId, name, "iam:UpdateAssumeRolePolicy");
  checkPolicyDocument(document, "trust");
  ctx.store.mutate((state) => {
    getRole(state, caller.accountId, name).trustPolicy = document;
  });
  return null;
};

const listRolePolicies: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const role = await authorizedRole(ctx, caller.accountId, name, "iam:ListRolePolicies");
  return page(
    ctx.input,
    Object.keys(role.inlinePolicies),
    (n) => n,
    "PolicyNames",
    (n) => n,
  );
};

const getRolePolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const policyName = requiredString(ctx.input, "PolicyName", RULES.policyName);
  const role = await authorizedRole(ctx, caller.accountId, name, "iam:GetRolePolicy");
  const document = role.inlinePolicies[policyName];
  if (document === undefined) {
    throw new AwsError("NoSuchEntity", `The role policy with name ${policyName} cannot be found.`, 404);
  }
  return { RoleName: role.name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
};

const listAttachedRolePolicies: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "RoleName", RULES.roleName);
  const role = await authorizedRole(ctx, caller.accountId, name, "iam:ListAttachedRolePolicies");
  const attached = role.attachedPolicyArns.flatMap((arn) => ctx.store.state.policies.filter((p) => p.arn === arn));
  return page(
    ctx.input,
    attached,
    (p) => p.arn,
    "AttachedPolicies",
    (p) => ({ PolicyName: p.name, PolicyArn: p.arn }),
  );
};

export const roleOperations = {
  ListRolePolicies: listRolePolicies,
  GetRolePolicy: getRolePolicy,
  ListAttachedRolePolicies: listAttachedRolePolicies,
  ListRoles: listRoles,
  GetRole: getRoleHandler,
  CreateRole: createRole,
  DeleteRole: deleteRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
};
