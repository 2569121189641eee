import { randomUUID } from "node:crypto";
import { AwsError, validationError } from "../protocol/errors.js";
import { type OperationContext, type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { Members, type XmlValue } from "../protocol/query.js";
import { deploy, findStack, REGION, removeResource, stacksOf } from "./engine.js";
import type { Stack } from "./model.js";
import { type Prepared, prepare } from "./prepare.js";

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const STABLE = /_COMPLETE$|^CREATE_FAILED$/;

export const stackArn = (accountId: string, name: string, id = randomUUID()) =>
  `arn:aws:cloudformation:${REGION}:${accountId}:stack/${name}/${id}`;

export const missingStack = (name: string) => validationError(`Stack with id ${name} does not exist`);

export function stackName(ctx: OperationContext<Map<string, string>>): string {
  const name = ctx.input.get("StackName");
  if (name === undefined)
    throw validationError(
      "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
    );
  return name;
}

export async function authorizeStack(ctx: OperationContext<Map<string, string>>, action: string, name: string) {
  const caller = requireCaller(ctx);
  const existing = findStack(ctx.store.state, caller.accountId, name);
  await ctx.authorize({
    action: `cloudformation:${action}`,
    resource: existing?.stackId ?? `arn:aws:cloudformation:${REGION}:${caller.accountId}:stack/${name}/*`,
  });
  return { caller, existing };
}

/** A new stack record, not yet deployed (REVIEW_IN_PROGRESS, as a CREATE change set leaves it). */
export function newStack(
  ctx: OperationContext<unknown>,
  accountId: string,
  name: string,
  p: Prepared,
  disableRollback: boolean,
): Stack {
  if (!STACK_NAME.test(name))
    throw validationError(
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  const stack: Stack = {
    stackId: stackArn(accountId, name),
    name,
    accountId,
    region: REGION,
    description: p.template.description,
    templateBody: p.templateBody,
    parameters: p.parameterValues,
    capabilities: p.capabilities,
    status: "REVIEW_IN_PROGRESS",
    disableRollback,
    creationTime: ctx.now.toISOString(),
    resources: [],
    outputs: [],
    events: [],
    changeSets: [],
  };
  ctx.store.mutate((state) => {
    stacksOf(state).push(stack);
  });
  return stack;
}

/** Puts the request's template and parameters on the stack, then deploys them. */
export async function run(ctx: OperationContext<unknown>, stack: Stack, p: Prepared, create: boolean): Promise<void> {
  await deploy(ctx, recordTemplate(ctx, stack, p, create), p.template, p.scope, create);
}

/** The stack as it is once the request's template and parameters are its own. */
export function recordTemplate(ctx: OperationContext<unknown>, stack: Stack, p: Prepared, create: boolean): Stack {
  ctx.store.mutate((state) => {
    const live = stacksOf(state).find((s) => s.stackId === stack.stackId);
    if (!live) return;
    Object.assign(live, {
      templateBody: p.templateBody,
      parameters: p.parameterValues,
      capabilities: p.capabilities,
      description: p.template.description,
      lastUpdatedTime: create ? undefined : ctx.now.toISOString(),
    });
  });
  return stacksOf(ctx.store.state as never).find((s) => s.stackId === stack.stackId)!;
}

const createStack: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const { caller, existing } = await authorizeStack(ctx, "CreateStack", name);
  if (existing) throw new AwsError("AlreadyExistsException", `Stack [${name}] already exists`, 400);
  const p = prepare(ctx.input, undefined, false, { accountId: caller.accountId, stackName: name });
  const onFailure = ctx.input.get("OnFailure");
  const disableRollback = ctx.input.get("DisableRollback") === "true" || onFailure === "DO_NOTHING";
  const stack = newStack(ctx, caller.accountId, name, p, disableRollback);
  await run(ctx, stack, p, true);
  if (onFailure === "DELETE" && findStack(ctx.store.state, caller.accountId, name)?.status === "ROLLBACK_COMPLETE")
    await removeStack(ctx, stack.stackId);
  return { StackId: stack.stackId };
};

export function checkUpdatable(stack: Stack): void {
  if (!STABLE.test(stack.status) || stack.status === "ROLLBACK_COMPLETE" || stack.status === "CREATE_FAILED")
    throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
}

const updateStack: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const { caller, existing } = await authorizeStack(ctx, "UpdateStack", name);
  if (!existing) throw missingStack(name);
  checkUpdatable(existing);
  const p = prepare(ctx.input, existing, false, { accountId: caller.accountId, stackName: name });
  if (
    p.templateBody === existing.templateBody &&
    JSON.stringify(p.parameterValues) === JSON.stringify(existing.parameters)
  )
    throw validationError("No updates are to be performed.");
  await run(ctx, existing, p, false);
  return { StackId: existing.stackId };
};

/** Deletes the stack's resources in reverse dependency order (Retain kept), then forgets the stack. */
export async function removeStack(ctx: OperationContext<unknown>, stackId: string): Promise<void> {
  const stack = stacksOf(ctx.store.state as never).find((s) => s.stackId === stackId);
  if (!stack) return;
  ctx.store.mutate((state) => {
    const live = stacksOf(state).find((s) => s.stackId === stackId);
    if (live) live.status = "DELETE_IN_PROGRESS";
  });
  // Resources are kept in the order they were written, which is dependency order: delete in reverse.
  const order = stack.resources.map((r) => r.logicalId).reverse();
  for (const id of order) {
    const resource = stack.resources.find((r) => r.logicalId === id)!;
    try {
      await removeResource(ctx, stack, resource);
    } catch (err) {
      ctx.store.mutate((state) => {
        const live = stacksOf(state).find((s) => s.stackId === stackId);
        if (!live) return;
        live.status = "DELETE_FAILED";
        live.statusReason = `The following resource(s) failed to delete: [${id}]. ${err instanceof Error ? err.message : ""}`;
        // The failed resource and those after it in deletion order are still there.
        live.resources = live.resources.filter((r) => order.indexOf(r.logicalId) >= order.indexOf(id));
      });
      return;
    }
  }
  ctx.store.mutate((state) => {
    state.cloudFormation!.stacks = stacksOf(state).filter((s) => s.stackId !== stackId);
  });
}

const deleteStack: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const { existing } = await authorizeStack(ctx, "DeleteStack", name);
  // Deleting a stack that does not exist succeeds, as in CloudFormation.
  if (existing) await removeStack(ctx, existing.stackId);
  return null;
};

const date = (iso: string | undefined) => (iso === undefined ? undefined : new Date(iso));

function renderStack(stack: Stack) {
  return {
    StackId: stack.stackId,
    StackName: stack.name,
    Description: stack.description,
    Parameters: new Members(Object.entries(stack.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v }))),
    CreationTime: date(stack.creationTime),
    LastUpdatedTime: date(stack.lastUpdatedTime),
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    DisableRollback: stack.disableRollback,
    Capabilities: new Members(stack.capabilities),
    Outputs: new Members(
      stack.outputs.map((o) => ({ OutputKey: o.key, OutputValue: o.value, Description: o.description })),
    ),
    Tags: new Members([]),
  };
}

const describeStacks: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = ctx.input.get("StackName");
  await ctx.authorize({ action: "cloudformation:DescribeStacks", resource: "*" });
  const stacks = (ctx.store.state.cloudFormation?.stacks ?? []).filter(
    (s) => s.accountId === caller.accountId && (name === undefined || s.name === name || s.stackId === name),
  );
  if (name !== undefined && stacks.length === 0) throw missingStack(name);
  // Nested lists inside a list item render like top-level ones; the XmlValue type does not say so.
  return { Stacks: new Members(stacks.map(renderStack) as unknown as XmlValue[]) };
};

const describeStackEvents: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const { existing } = await authorizeStack(ctx, "DescribeStackEvents", name);
  if (!existing) throw missingStack(name);
  const events = [...existing.events].reverse().map((e) => ({
    StackId: existing.stackId,
    EventId: e.eventId,
    StackName: existing.name,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.resourceType,
    Timestamp: new Date(e.timestamp),
    ResourceStatus: e.status,
    ResourceStatusReason: e.reason,
  }));
  return { StackEvents: new Members(events) };
};

const describeStackResources: QueryHandler = async (ctx) => {
  const name = stackName(ctx);
  const { existing } = await authorizeStack(ctx, "DescribeStackResources", name);
  if (!existing) throw missingStack(name);
  return {
    StackResources: new Members(
      existing.resources.map((r) => ({
        StackName: existing.name,
        StackId: existing.stackId,
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        Timestamp: new Date(r.updated),
        ResourceStatus: r.status,
      })),
    ),
  };
};

export const stackOperations = {
  CreateStack: createStack,
  UpdateStack: updateStack,
  DeleteStack: deleteStack,
  DescribeStacks: describeStacks,
  DescribeStackEvents: describeStackEvents,
  DescribeStackResources: describeStackResources,
};
