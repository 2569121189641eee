import { AwsError, noSuchEntity } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { optionalBoolean, optionalString, RULES, requiredString } from "../protocol/params.js";
import { Members } from "../protocol/query.js";
import { policyArn } from "../state/arns.js";
import { iamId } from "../state/ids.js";
import type { ManagedPolicy, PolicyVersion, SandboxState } from "../state/model.js";
import { checkPolicyDocument, encodeDocument } from "./documents.js";
import { attachmentCount, getPolicy } from "./lookup.js";

const MAX_VERSIONS = 5;

function renderPolicy(state: Readonly<SandboxState>, policy: ManagedPolicy) {
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount(state, policy.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
  };
}

const renderVersion = (policy: ManagedPolicy, version: PolicyVersion, withDocument: boolean) => ({
  Document: withDocument ? encodeDocument(version.document) : undefined,
  VersionId: version.versionId,
  IsDefaultVersion: version.versionId === policy.defaultVersionId,
  CreateDate: new Date(version.createDate),
});

/** Writes are only possible on the caller's own policies; AWS managed ones are read-only. */
function ownPolicy(state: SandboxState, accountId: string, arn: string): ManagedPolicy {
  const policy = getPolicy(state, accountId, arn);
  if (policy.accountId !== accountId)
    throw new AwsError("AccessDenied", `Policy ${arn} is outside your own account.`, 403);
  return policy;
}

const createPolicy: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "PolicyName", RULES.policyName);
  const path = optionalString(ctx.input, "Path", RULES.path) ?? "/";
  const document = requiredString(ctx.input, "PolicyDocument", RULES.document);
  const description = optionalString(ctx.input, "Description", RULES.description);
  const arn = policyArn(caller.accountId, path, name);
  await ctx.authorize({ action: "iam:CreatePolicy", resource: arn });
  checkPolicyDocument(document, "managed");
  const policy = ctx.store.mutate((state) => {
    if (state.policies.some((p) => p.accountId === caller.accountId && p.name.toLowerCase() === name.toLowerCase())) {
      throw new AwsError(
        "EntityAlreadyExists",
        `A policy called ${name} already exists. Duplicate names are not allowed.`,
        409,
      );
    }
    const created = ctx.now.toISOString();
    const fresh: ManagedPolicy = {
      accountId: caller.accountId,
      name,
      path,
      arn,
      policyId: iamId("ANPA"),
      description,
      defaultVersionId: "v1",
      nextVersion: 2,
      versions: [{ versionId: "v1", document, createDate: created }],
      createDate: created,
      updateDate: created,
    };
    state.policies.push(fresh);
    return fresh;
  });
  return { Policy: renderPolicy(ctx.store.state, policy) };
};

const getPolicyHandler: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
  await ctx.authorize({ action: "iam:GetPolicy", resource: arn });
  return { Policy: renderPolicy(ctx.store.state, getPolicy(ctx.store.state, caller.accountId, arn)) };
};

const getPolicyVersion: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
  const versionId = requiredString(ctx.input, "VersionId", {
    pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/,
    patternText: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?",
  });
  await ctx.authorize({ action: "iam:GetPolicyVersion", resource: arn });
  const policy = getPolicy(ctx.store.state, caller.accountId, arn);
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (!version) throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  return { PolicyVersion: renderVersion(policy, version, true) };
};

const listPolicyVersions: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
  await ctx.authorize({ action: "iam:ListPolicyVersions", resource: arn });
  const policy = getPolicy(ctx.store.state, caller.accountId, arn);
  const newestFirst = [...policy.versions].reverse();
  return { Versions: new Members(newestFirst.map((v) => renderVersion(policy, v, false))), IsTruncated: false };
};

const createPolicyVersion: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
  const document = requiredString(ctx.input, "PolicyDocument", RULES.document);
  const setAsDefault = ctx.input.has("SetAsDefault") ? optionalBoolean(ctx.input, "SetAsDefault") : false;
  await ctx.authorize({ action: "iam:CreatePolicyVersion", resource: arn });
  checkPolicyDocument(document, "managed");
  const [policy, version] = ctx.store.mutate((state) => {
    const target = ownPolicy(state, caller.accountId, arn);
    if (target.versions.length >= MAX_VERSIONS) {
      throw new AwsError(
        "LimitExceeded",
        `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
        409,
      );
    }
    const fresh: PolicyVersion = { versionId: `v${target.nextVersion}`, document, createDate: ctx.now.toISOString() };
    target.nextVersion += 1;
    target.versions.push(fresh);
    target.updateDate = fresh.createDate;
    if (setAsDefault) target.defaultVersionId = fresh.versionId;
    return [target, fresh] as const;
  });
  return { PolicyVersion: renderVersion(policy, version, false) };
};

const VERSION_ID = { pattern: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, patternText: "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?" };

function versionOf(policy: ManagedPolicy, versionId: string): PolicyVersion {
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (!version) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
  return version;
}

/** A change to one version of one of the caller's own policies, authorized as `action`. */
function versionChange(action: string, change: (policy: ManagedPolicy, versionId: string) => void): QueryHandler {
  return async (ctx) => {
    const caller = requireCaller(ctx);
    const arn = requiredString(ctx.input, "PolicyArn", RULES.arn);
    const versionId = requiredString(ctx.input, "VersionId", VERSION_ID);
    await ctx.authorize({ action, resource: arn });
    ctx.store.mutate((state) => {
      const target = ownPolicy(state, caller.accountId, arn);
      versionOf(target, versionId);
      change(target, versionId);
      target.updateDate = ctx.now.toISOString();
    });
    return null;
  };
}

const deletePolicyVersion = versionChange("iam:DeletePolicyVersion", (target, versionId) => {
  if (target.defaultVersionId === versionId)
    throw new AwsError("DeleteConflict", "Cannot delete the default version of a policy.", 409);
  target.versions = target.versions.filter((v) => v.versionId !== versionId);
});

const setDefaultPolicyVersion = versionChange("iam:SetDefaultPolicyVersion", (target, versionId) => {
  target.defaultVersionId = versionId;
});

export const policyOperations = {
  DeletePolicyVersion: deletePolicyVersion,
  SetDefaultPolicyVersion: setDefaultPolicyVersion,
  CreatePolicy: createPolicy,
  GetPolicy: getPolicyHandler,
  GetPolicyVersion: getPolicyVersion,
  ListPolicyVersions: listPolicyVersions,
  CreatePolicyVersion: createPolicyVersion,
};
