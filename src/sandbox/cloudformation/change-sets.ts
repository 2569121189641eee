import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { AwsError, validationError } from "../protocol/errors.js";
import type { OperationContext, QueryHandler } from "../protocol/handlers.js";
import { Members } from "../protocol/query.js";
import { REGION, stacksOf } from "./engine.js";
import { checkImportTargets, readImports, runImport } from "./import.js";
import { references } from "./intrinsics.js";
import type { ChangeSet, Stack, StackChange } from "./model.js";
import { type Prepared, prepare } from "./prepare.js";
import { RESOURCE_TYPES } from "./resources.js";
import { authorizeStack, checkUpdatable, missingStack, newStack, recordTemplate, run, stackName } from "./stacks.js";
import { stackTemplate } from "./template.js";

const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

/**
 * What executing would do, from the declarations: a resource is modified when its declaration or a parameter it
 * refers to changed, and replaced when one of its type's replace-on properties is declared differently.
 */
function changes(stack: Stack, p: Prepared): StackChange[] {
  const before = stack.status === "REVIEW_IN_PROGRESS" ? undefined : stackTemplate(stack);
  const out: StackChange[] = [];
  for (const [id, decl] of Object.entries(p.template.resources)) {
    const old = before?.resources[id];
    const physicalId = stack.resources.find((r) => r.logicalId === id)?.physicalId;
    if (!old || old.Type !== decl.Type) {
      out.push({ action: "Add", logicalId: id, resourceType: decl.Type });
      continue;
    }
    const paramChanged = [...references(decl.Properties ?? {})].some(
      (r) => stack.parameters[r] !== p.parameterValues[r],
    );
    if (!paramChanged && isDeepStrictEqual(old, decl)) continue;
    const replaceOn = RESOURCE_TYPES[decl.Type]?.properties.replaceOn ?? [];
    const replace = replaceOn.some((k) => !isDeepStrictEqual(old.Properties?.[k], decl.Properties?.[k]));
    out.push({
      action: "Modify",
      logicalId: id,
      physicalId,
      resourceType: decl.Type,
      replacement: replace ? "True" : "False",
    });
  }
  for (const [id, decl] of Object.entries(before?.resources ?? {})) {
    if (!Object.hasOwn(p.template.resources, id)) {
      const physicalId = stack.resources.find((r) => r.logicalId === id)?.physicalId;
      out.push({ action: "Remove", logicalId: id, physicalId, resourceType: decl.Type });
    }
  }
  return out;
}

function findChangeSet(ctx: OperationContext<Map<string, string>>): { stack: Stack; changeSet: ChangeSet } {
  const id = ctx.input.get("ChangeSetName") ?? "";
  const name = ctx.input.get("StackName");
  for (const stack of ctx.store.state.cloudFormation?.stacks ?? []) {
    if (name !== undefined && stack.name !== name && stack.stackId !== name) continue;
    const changeSet = stack.changeSets.find((c) => c.id === id || (c.name === id && name !== undefined));
    if (changeSet && stack.accountId === ctx.caller?.accountId) return { stack, changeSet };
  }
  throw new AwsError("ChangeSetNotFound", `ChangeSet [${id}] does not exist`, 404);
}

const createChangeSet: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const changeSetName = ctx.input.get("ChangeSetName");
  if (!changeSetName || !/^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(changeSetName))
    throw validationError("ChangeSetName must match [a-zA-Z][-a-zA-Z0-9]*");
  const type = ctx.input.get("ChangeSetType") ?? "UPDATE";
  if (type !== "CREATE" && type !== "UPDATE" && type !== "IMPORT")
    throw validationError(`ChangeSetType ${type} is not supported by the sandbox (CREATE, UPDATE, IMPORT)`);
  const { caller, existing } = await authorizeStack(ctx, "CreateChangeSet", name);
  if (type === "CREATE" && existing && existing.status !== "REVIEW_IN_PROGRESS")
    throw validationError(
      `Stack [${name}] already exists and cannot be created again with the changeSet [${changeSetName}].`,
    );
  if (type === "UPDATE") {
    if (!existing || existing.status === "REVIEW_IN_PROGRESS") throw missingStack(name);
    checkUpdatable(existing);
  }
  if (type === "IMPORT" && existing && existing.status !== "REVIEW_IN_PROGRESS") checkUpdatable(existing);
  const p = prepare(ctx.input, existing, true, { accountId: caller.accountId, stackName: name });
  const imports = type === "IMPORT" ? readImports(ctx.input, p.template, existing) : undefined;
  if (imports) await checkImportTargets(ctx, name, imports);
  const stack = existing ?? newStack(ctx, caller.accountId, name, p, false);
  if (stack.changeSets.some((c) => c.name === changeSetName))
    throw new AwsError("AlreadyExistsException", `ChangeSet ${changeSetName} already exists`, 400);
  const found = imports
    ? imports.map(
        (i): StackChange => ({ action: "Import", logicalId: i.logicalId, physicalId: i.id, resourceType: i.type }),
      )
    : changes(stack, p);
  const empty = found.length === 0 && JSON.stringify(p.parameterValues) === JSON.stringify(stack.parameters);
  const changeSet: ChangeSet = {
    id: `arn:aws:cloudformation:${REGION}:${caller.accountId}:changeSet/${changeSetName}/${randomUUID()}`,
    name: changeSetName,
    type,
    status: empty ? "FAILED" : "CREATE_COMPLETE",
    executionStatus: empty ? "UNAVAILABLE" : "AVAILABLE",
    statusReason: empty ? NO_CHANGES : undefined,
    description: ctx.input.get("Description"),
    templateBody: p.templateBody,
    parameters: p.parameterValues,
    capabilities: p.capabilities,
    changes: found,
    imports,
    creationTime: ctx.now.toISOString(),
  };
  ctx.store.mutate((state) => {
    stacksOf(state)
      .find((s) => s.stackId === stack.stackId)
      ?.changeSets.push(changeSet);
  });
  return { Id: changeSet.id, StackId: stack.stackId };
};

const describeChangeSet: QueryHandler = async (ctx) => {
  const { stack, changeSet: c } = findChangeSet(ctx);
  await authorizeStack(ctx, "DescribeChangeSet", stack.name);
  return {
    ChangeSetName: c.name,
    ChangeSetId: c.id,
    StackId: stack.stackId,
    StackName: stack.name,
    Description: c.description,
    Parameters: new Members(Object.entries(c.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v }))),
    CreationTime: new Date(c.creationTime),
    ExecutionStatus: c.executionStatus,
    Status: c.status,
    StatusReason: c.statusReason,
    Capabilities: new Members(c.capabilities),
    Changes: new Members(
      c.changes.map((ch) => ({
        Type: "Resource",
        ResourceChange: {
          Action: ch.action,
          LogicalResourceId: ch.logicalId,
          PhysicalResourceId: ch.physicalId,
          ResourceType: ch.resourceType,
          Replacement: ch.replacement,
        },
      })),
    ),
  };
};

const executeChangeSet: QueryHandler = async (ctx) => {
  const { stack, changeSet } = findChangeSet(ctx);
  await authorizeStack(ctx, "ExecuteChangeSet", stack.name);
  if (changeSet.executionStatus !== "AVAILABLE")
    throw new AwsError(
      "InvalidChangeSetStatus",
      `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`,
      400,
    );
  const input = new Map([["TemplateBody", changeSet.templateBody]]);
  Object.entries(changeSet.parameters).forEach(([k, v], i) => {
    input.set(`Parameters.member.${i + 1}.ParameterKey`, k);
    input.set(`Parameters.member.${i + 1}.ParameterValue`, v);
  });
  changeSet.capabilities.forEach((c, i) => {
    input.set(`Capabilities.member.${i + 1}`, c);
  });
  const p = prepare(input, stack, true, { accountId: stack.accountId, stackName: stack.name });
  ctx.store.mutate((state) => {
    for (const c of stacksOf(state).find((s) => s.stackId === stack.stackId)?.changeSets ?? [])
      c.executionStatus = c.id === changeSet.id ? "EXECUTE_COMPLETE" : "OBSOLETE";
  });
  if (changeSet.imports)
    await runImport(ctx, recordTemplate(ctx, stack, p, true), p.template, p.scope, changeSet.imports);
  else await run(ctx, stack, p, changeSet.type === "CREATE");
  // An empty Result element: the API model gives these operations an (empty) output shape.
  return {};
};

const deleteChangeSet: QueryHandler = async (ctx) => {
  const { stack, changeSet } = findChangeSet(ctx);
  await authorizeStack(ctx, "DeleteChangeSet", stack.name);
  ctx.store.mutate((state) => {
    const live = stacksOf(state).find((s) => s.stackId === stack.stackId);
    if (live) live.changeSets = live.changeSets.filter((c) => c.id !== changeSet.id);
  });
  return {};
};

export const changeSetOperations = {
  CreateChangeSet: createChangeSet,
  DescribeChangeSet: describeChangeSet,
  ExecuteChangeSet: executeChangeSet,
  DeleteChangeSet: deleteChangeSet,
};
