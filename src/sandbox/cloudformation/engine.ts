import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { AwsError } from "../protocol/errors.js";
import type { OperationContext } from "../protocol/handlers.js";
import type { SandboxState } from "../state/model.js";
import { references, resolve, type Scope } from "./intrinsics.js";
import type { Stack, StackEvent, StackResource, StackStatus } from "./model.js";
import { checkProperties, RESOURCE_TYPES, type ResourceContext } from "./resources.js";
import type { Template } from "./template.js";

/**
 * Runs a stack operation to its end before the API call returns: the sandbox has no background work, so a waiter's
 * first DescribeStacks already sees CREATE_COMPLETE (or the rollback). Resources are written in dependency order;
 * a failure rolls back what this operation wrote, in reverse, as CloudFormation does.
 */

export const REGION = "us-east-1";

export function stacksOf(state: SandboxState): Stack[] {
  state.cloudFormation ??= { stacks: [] };
  return state.cloudFormation.stacks;
}

export function findStack(state: Readonly<SandboxState>, accountId: string, nameOrId: string): Stack | undefined {
  return (state.cloudFormation?.stacks ?? []).find(
    (s) => s.accountId === accountId && (s.name === nameOrId || s.stackId === nameOrId),
  );
}

export function mutateStack(ctx: OperationContext<unknown>, stack: Stack, change: (s: Stack) => void): void {
  ctx.store.mutate((state) => {
    const live = stacksOf(state).find((s) => s.stackId === stack.stackId);
    if (live) change(live);
  });
}

export function event(
  ctx: OperationContext<unknown>,
  stack: Stack,
  e: Omit<StackEvent, "eventId" | "timestamp">,
  stackStatus?: { status: StackStatus; reason?: string | undefined },
) {
  mutateStack(ctx, stack, (s) => {
    s.events.push({ ...e, eventId: randomUUID(), timestamp: new Date().toISOString() });
    if (stackStatus) {
      s.status = stackStatus.status;
      s.statusReason = stackStatus.reason;
    }
  });
}

export const stackEvent = (ctx: OperationContext<unknown>, stack: Stack, status: StackStatus, reason?: string) =>
  event(
    ctx,
    stack,
    { logicalId: stack.name, physicalId: stack.stackId, resourceType: "AWS::CloudFormation::Stack", status, reason },
    { status, reason },
  );

/** Dependency order (Ref, GetAtt, Sub, DependsOn); a cycle or a dangling reference is a template error. */
export function orderResources(template: Template): string[] {
  const ids = Object.keys(template.resources);
  const deps = new Map(
    ids.map((id) => {
      const decl = template.resources[id]!;
      const on = new Set([...references(decl.Properties ?? {})].filter((r) => Object.hasOwn(template.resources, r)));
      for (const d of [decl.DependsOn ?? []].flat()) {
        if (!Object.hasOwn(template.resources, d))
          throw new AwsError(
            "ValidationError",
            `Template format error: Unresolved resource dependencies [${d}] in the Resources block of the template`,
          );
        on.add(d);
      }
      return [id, on];
    }),
  );
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id))
      throw new AwsError("ValidationError", `Circular dependency between resources: [${[...visiting].join(", ")}]`);
    visiting.add(id);
    for (const d of deps.get(id) ?? []) visit(d);
    visiting.delete(id);
    order.push(id);
  };
  for (const id of ids) visit(id);
  return order;
}

/** What intrinsics see in a stack: its parameters and pseudo parameters; resources are added as they are written. */
export function stackScope(stack: Stack, parameters: Record<string, unknown>): Scope {
  return {
    parameters,
    pseudo: {
      "AWS::AccountId": stack.accountId,
      "AWS::Region": stack.region,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": stack.name,
      "AWS::StackId": stack.stackId,
    },
    refs: {},
    attributes: {},
  };
}

export function resolveOutputs(template: Template, scope: Scope): Stack["outputs"] {
  return Object.entries(template.outputs).map(([key, o]) => ({
    key,
    value: String(resolve(o.Value, scope)),
    description: o.Description,
  }));
}

type Applied =
  | { kind: "created"; resource: StackResource }
  | { kind: "updated"; before: StackResource; after: StackResource };

const handlerMessage = (err: unknown) =>
  err instanceof AwsError
    ? `Resource handler returned message: "${err.message}" (Service: Iam, Status Code: ${err.status}, HandlerErrorCode: ${err.code})`
    : "Internal failure.";

/** Creates or updates a stack to `template` with `parameters`; `create` decides the status names. */
export async function deploy(
  ctx: OperationContext<unknown>,
  stack: Stack,
  template: Template,
  parameters: Record<string, unknown>,
  create: boolean,
): Promise<void> {
  const verb = create ? "CREATE" : "UPDATE";
  stackEvent(ctx, stack, `${verb}_IN_PROGRESS`, create ? "User Initiated" : undefined);
  const previous = new Map(stack.resources.map((r) => [r.logicalId, r]));
  const scope = stackScope(stack, parameters);
  const applied: Applied[] = [];
  const kept: StackResource[] = [];
  const replaced: StackResource[] = [];
  const now = () => new Date().toISOString();
  try {
    for (const logicalId of orderResources(template)) {
      const decl = template.resources[logicalId]!;
      const type = RESOURCE_TYPES[decl.Type]!;
      const rc: ResourceContext = { ctx, stackName: stack.name, logicalId };
      const props = resolve(decl.Properties ?? {}, scope) as Record<string, unknown>;
      const deletionPolicy = decl.DeletionPolicy === "Retain" ? "Retain" : "Delete";
      const old = previous.get(logicalId);
      const base = { logicalId, resourceType: decl.Type };
      let resource: StackResource;
      if (old && old.type === decl.Type && isDeepStrictEqual(old.properties, props)) {
        resource = { ...old, deletionPolicy };
      } else {
        const invalid = checkProperties(type, props);
        const replace =
          !old ||
          old.type !== decl.Type ||
          type.properties.replaceOn.some((k) => !isDeepStrictEqual(old.properties[k], props[k]));
        const action = old ? "UPDATE" : "CREATE";
        event(ctx, stack, { ...base, physicalId: old?.physicalId ?? "", status: `${action}_IN_PROGRESS` });
        try {
          if (invalid) throw new AwsError("ValidationError", invalid);
          const written = replace
            ? await type.create(rc, props)
            : await type.update(rc, old!.physicalId, old!.properties, props);
          resource = {
            logicalId,
            type: decl.Type,
            ...written,
            properties: props,
            deletionPolicy,
            status: `${action}_COMPLETE`,
            updated: now(),
          };
        } catch (err) {
          const reason = invalid ?? handlerMessage(err);
          event(ctx, stack, { ...base, physicalId: old?.physicalId ?? "", status: `${action}_FAILED`, reason });
          throw new ResourceFailure(logicalId, reason);
        }
        event(ctx, stack, { ...base, physicalId: resource.physicalId, status: resource.status });
        // A replaced resource goes by its UpdateReplacePolicy, not its DeletionPolicy.
        if (old && replace)
          replaced.push({ ...old, deletionPolicy: decl.UpdateReplacePolicy === "Retain" ? "Retain" : "Delete" });
        applied.push(
          old && !replace ? { kind: "updated", before: old, after: resource } : { kind: "created", resource },
        );
      }
      kept.push(resource);
      scope.refs[logicalId] = resource.physicalId;
      scope.attributes[logicalId] = resource.attributes;
    }
    const outputs = resolveOutputs(template, scope);
    mutateStack(ctx, stack, (s) => {
      s.resources = kept;
      s.outputs = outputs;
    });
  } catch (err) {
    if (!(err instanceof ResourceFailure) && !(err instanceof AwsError)) throw err;
    const reason =
      err instanceof ResourceFailure
        ? `The following resource(s) failed to ${verb.toLowerCase()}: [${err.logicalId}]. `
        : err.message;
    await rollback(ctx, stack, applied, create, reason);
    return;
  }
  if (!create) stackEvent(ctx, stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS");
  const gone = [...replaced, ...[...previous.values()].filter((r) => !Object.hasOwn(template.resources, r.logicalId))];
  for (const r of gone.reverse()) await removeResource(ctx, stack, r);
  stackEvent(ctx, stack, `${verb}_COMPLETE`);
}

class ResourceFailure extends Error {
  constructor(
    readonly logicalId: string,
    reason: string,
  ) {
    super(reason);
  }
}

async function rollback(
  ctx: OperationContext<unknown>,
  stack: Stack,
  applied: Applied[],
  create: boolean,
  reason: string,
) {
  if (create && stack.disableRollback) {
    mutateStack(ctx, stack, (s) => {
      s.resources = applied.flatMap((a) => (a.kind === "created" ? [a.resource] : [a.after]));
    });
    stackEvent(ctx, stack, "CREATE_FAILED", reason);
    return;
  }
  stackEvent(ctx, stack, create ? "ROLLBACK_IN_PROGRESS" : "UPDATE_ROLLBACK_IN_PROGRESS", reason);
  for (const a of applied.reverse()) {
    if (a.kind === "created") await removeResource(ctx, stack, a.resource);
    else {
      const type = RESOURCE_TYPES[a.before.type]!;
      await type
        .update(
          { ctx, stackName: stack.name, logicalId: a.before.logicalId },
          a.before.physicalId,
          a.after.properties,
          a.before.properties,
        )
        .catch(() => undefined);
    }
  }
  stackEvent(ctx, stack, create ? "ROLLBACK_COMPLETE" : "UPDATE_ROLLBACK_COMPLETE");
}

/** Deletes a resource the stack no longer has, or keeps it when its DeletionPolicy says Retain. */
export async function removeResource(ctx: OperationContext<unknown>, stack: Stack, r: StackResource): Promise<void> {
  const base = { logicalId: r.logicalId, physicalId: r.physicalId, resourceType: r.type };
  if (r.deletionPolicy === "Retain") {
    event(ctx, stack, { ...base, status: "DELETE_SKIPPED" });
    return;
  }
  event(ctx, stack, { ...base, status: "DELETE_IN_PROGRESS" });
  try {
    await RESOURCE_TYPES[r.type]!.delete({ ctx, stackName: stack.name, logicalId: r.logicalId }, r.physicalId);
  } catch (err) {
    event(ctx, stack, { ...base, status: "DELETE_FAILED", reason: handlerMessage(err) });
    throw err;
  }
  event(ctx, stack, { ...base, status: "DELETE_COMPLETE" });
}
