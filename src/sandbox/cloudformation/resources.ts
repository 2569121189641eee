import { randomBytes } from "node:crypto";
import { iamService } from "../iam/index.js";
import { AwsError } from "../protocol/errors.js";
import type { OperationContext } from "../protocol/handlers.js";

/**
 * The resource types the sandbox can deploy. Each one is written through the sandbox's own IAM operations, as the
 * caller: the same validation, quotas and authorization as the IAM API, and the same error messages in the events.
 */
export interface Written {
  physicalId: string;
  attributes: Record<string, string>;
}

export interface ResourceContext {
  ctx: OperationContext<unknown>;
  stackName: string;
  logicalId: string;
}

export interface ResourceType {
  properties: { required: string[]; optional: string[]; replaceOn: string[] };
  /** The key a resource import names it by (`ResourceIdentifier`), and how to find it: undefined when absent. */
  identifier: string;
  read(rc: ResourceContext, id: string): Promise<Written | undefined>;
  create(rc: ResourceContext, props: Record<string, unknown>): Promise<Written>;
  /** In-place update; properties in `replaceOn` never reach it (the engine replaces the resource instead). */
  update(
    rc: ResourceContext,
    physicalId: string,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
  ): Promise<Written>;
  delete(rc: ResourceContext, physicalId: string): Promise<void>;
}

async function iam(ctx: OperationContext<unknown>, action: string, params: Record<string, string | undefined>) {
  const handler = iamService.operations[action];
  if (!handler) throw new Error(`no IAM operation ${action}`);
  const input = new Map(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
  return (await handler({ ...ctx, input })) ?? {};
}

const ignoreMissing = (err: unknown): undefined => {
  if (!(err instanceof AwsError && err.code === "NoSuchEntity")) throw err;
  return undefined;
};

/** CloudFormation's generated physical names: stack, logical id and a random suffix. */
const generatedName = (rc: ResourceContext, max: number) =>
  `${rc.stackName}-${rc.logicalId}`.slice(0, max - 13) + `-${randomBytes(6).toString("hex").toUpperCase()}`;

const text = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);

const samlProvider: ResourceType = {
  properties: { required: ["SamlMetadataDocument"], optional: ["Name"], replaceOn: ["Name"] },
  identifier: "Arn",
  async read(rc, arn) {
    const found = await iam(rc.ctx, "GetSAMLProvider", { SAMLProviderArn: arn }).catch(ignoreMissing);
    return found ? { physicalId: arn, attributes: { Arn: arn } } : undefined;
  },
  async create(rc, props) {
    const result = await iam(rc.ctx, "CreateSAMLProvider", {
      Name: text(props.Name) ?? generatedName(rc, 128),
      SAMLMetadataDocument: text(props.SamlMetadataDocument),
    });
    const arn = String(result.SAMLProviderArn);
    return { physicalId: arn, attributes: { Arn: arn } };
  },
  async update(rc, physicalId, _before, after) {
    await iam(rc.ctx, "UpdateSAMLProvider", {
      SAMLProviderArn: physicalId,
      SAMLMetadataDocument: text(after.SamlMetadataDocument),
    });
    return { physicalId, attributes: { Arn: physicalId } };
  },
  async delete(rc, physicalId) {
    await iam(rc.ctx, "DeleteSAMLProvider", { SAMLProviderArn: physicalId }).catch(ignoreMissing);
  },
};

function roleWritten(result: Record<string, unknown>): Written {
  const role = result.Role as { RoleName: string; Arn: string; RoleId: string };
  return { physicalId: role.RoleName, attributes: { Arn: role.Arn, RoleId: role.RoleId } };
}

const role: ResourceType = {
  properties: {
    required: ["AssumeRolePolicyDocument"],
    optional: ["RoleName", "Path", "Description", "MaxSessionDuration"],
    replaceOn: ["RoleName", "Path"],
  },
  identifier: "RoleName",
  async read(rc, name) {
    const found = await iam(rc.ctx, "GetRole", { RoleName: name }).catch(ignoreMissing);
    return found ? roleWritten(found) : undefined;
  },
  async create(rc, props) {
    return roleWritten(
      await iam(rc.ctx, "CreateRole", {
        RoleName: text(props.RoleName) ?? generatedName(rc, 64),
        Path: text(props.Path),
        AssumeRolePolicyDocument: text(props.AssumeRolePolicyDocument),
        Description: text(props.Description),
        MaxSessionDuration: props.MaxSessionDuration === undefined ? undefined : String(props.MaxSessionDuration),
      }),
    );
  },
  async update(rc, physicalId, before, after) {
    for (const unsupported of ["Description", "MaxSessionDuration"]) {
      if (text(before[unsupported]) !== text(after[unsupported]))
        throw new AwsError("ValidationError", `The sandbox cannot update ${unsupported} of an AWS::IAM::Role in place`);
    }
    if (text(before.AssumeRolePolicyDocument) !== text(after.AssumeRolePolicyDocument)) {
      await iam(rc.ctx, "UpdateAssumeRolePolicy", {
        RoleName: physicalId,
        PolicyDocument: text(after.AssumeRolePolicyDocument),
      });
    }
    return roleWritten(await iam(rc.ctx, "GetRole", { RoleName: physicalId }));
  },
  async delete(rc, physicalId) {
    await iam(rc.ctx, "DeleteRole", { RoleName: physicalId }).catch(ignoreMissing);
  },
};

export const RESOURCE_TYPES: Record<string, ResourceType> = {
  "AWS::IAM::SAMLProvider": samlProvider,
  "AWS::IAM::Role": role,
};
export const SUPPORTED_TYPES: ReadonlySet<string> = new Set(Object.keys(RESOURCE_TYPES));

/** CloudFormation's schema check on a resource's properties, in its message style. */
export function checkProperties(type: ResourceType, props: Record<string, unknown>): string | undefined {
  const allowed = new Set([...type.properties.required, ...type.properties.optional]);
  const extra = Object.keys(props).filter((k) => !allowed.has(k));
  if (extra.length > 0)
    return `Properties validation failed for resource with message: #: extraneous key [${extra[0]}] is not permitted (the sandbox emulates ${[...allowed].join(", ")})`;
  const missing = type.properties.required.filter((k) => props[k] === undefined);
  if (missing.length > 0)
    return `Properties validation failed for resource with message: #: required key [${missing[0]}] not found`;
  return undefined;
}
