import { isDeepStrictEqual } from "node:util";
import { validationError } from "../protocol/errors.js";
import type { OperationContext, QueryInput } from "../protocol/handlers.js";
import { event, mutateStack, orderResources, resolveOutputs, stackEvent, stackScope } from "./engine.js";
import { resolve } from "./intrinsics.js";
import type { ResourceToImport, Stack, StackResource } from "./model.js";
import { RESOURCE_TYPES } from "./resources.js";
import { stackTemplate, type Template } from "./template.js";

/**
 * Resource import (`CreateChangeSet` with `ChangeSetType=IMPORT`): existing resources come under the stack as they
 * are, nothing is written to them. This is how the migration's templates take over roles that already exist.
 */

const MEMBER =
  /^ResourcesToImport\.member\.(\d+)\.(ResourceType|LogicalResourceId|ResourceIdentifier\.entry\.\d+\.(?:key|value))$/;

/** `ResourcesToImport` of the request, checked against the template and the stack it goes into. */
export function readImports(input: QueryInput, template: Template, stack: Stack | undefined): ResourceToImport[] {
  type Entry = { type?: string; logicalId?: string; keys: Map<string, Record<string, string>> };
  const byIndex = new Map<number, Entry>();
  for (const [key, value] of input) {
    const m = MEMBER.exec(key);
    if (!m) continue;
    const entry: Entry = byIndex.get(Number(m[1])) ?? { keys: new Map() };
    if (m[2] === "ResourceType") entry.type = value;
    else if (m[2] === "LogicalResourceId") entry.logicalId = value;
    else {
      const [, , n, part] = m[2]!.split(".");
      const kv = entry.keys.get(n!) ?? {};
      kv[part!] = value;
      entry.keys.set(n!, kv);
    }
    byIndex.set(Number(m[1]), entry);
  }
  if (byIndex.size === 0) throw validationError("ResourcesToImport must be specified for an IMPORT change set");
  const imports = [...byIndex.values()].map((e): ResourceToImport => {
    const decl = e.logicalId === undefined ? undefined : template.resources[e.logicalId];
    if (!e.logicalId || !decl || decl.Type !== e.type)
      throw validationError(`Resource to import ${e.logicalId ?? ""} of type ${e.type ?? ""} is not in the template`);
    if (!decl.DeletionPolicy)
      throw validationError(`Resources to import must have a DeletionPolicy in the template: [${e.logicalId}]`);
    const type = RESOURCE_TYPES[decl.Type]!;
    const id = [...e.keys.values()].find((kv) => kv.key === type.identifier)?.value;
    if (!id) throw validationError(`ResourceIdentifier of ${e.logicalId} must have the key ${type.identifier}`);
    if (stack?.resources.some((r) => r.logicalId === e.logicalId))
      throw validationError(`Resource ${e.logicalId} is already in the stack`);
    return { logicalId: e.logicalId, type: decl.Type, id };
  });
  // An import only adds the imported resources: anything else must be declared exactly as the stack has it.
  const before = stack && stack.status !== "REVIEW_IN_PROGRESS" ? stackTemplate(stack).resources : {};
  const imported = new Set(imports.map((i) => i.logicalId));
  const changed = Object.keys(template.resources).filter(
    (id) => !imported.has(id) && !isDeepStrictEqual(before[id], template.resources[id]),
  );
  const removed = Object.keys(before).filter((id) => !Object.hasOwn(template.resources, id));
  if (changed.length > 0 || removed.length > 0)
    throw validationError(
      `As part of the import operation, you cannot modify or add [${[...changed, ...removed].join(", ")}]`,
    );
  return imports;
}

/** Every resource to import must exist; checked when the change set is created, as CloudFormation does. */
export async function checkImportTargets(
  ctx: OperationContext<unknown>,
  stackName: string,
  imports: ResourceToImport[],
) {
  for (const i of imports) {
    const type = RESOURCE_TYPES[i.type]!;
    if (!(await type.read({ ctx, stackName, logicalId: i.logicalId }, i.id)))
      throw validationError(`Resource [${type.identifier}=${i.id}] of type ${i.type} does not exist`);
  }
}

export async function runImport(
  ctx: OperationContext<unknown>,
  stack: Stack,
  template: Template,
  parameters: Record<string, unknown>,
  imports: ResourceToImport[],
): Promise<void> {
  stackEvent(ctx, stack, "IMPORT_IN_PROGRESS", "User Initiated");
  const scope = stackScope(stack, parameters);
  const kept: StackResource[] = [];
  for (const logicalId of orderResources(template)) {
    const decl = template.resources[logicalId]!;
    const wanted = imports.find((i) => i.logicalId === logicalId);
    let resource = stack.resources.find((r) => r.logicalId === logicalId);
    if (wanted) {
      const base = { logicalId, resourceType: decl.Type, physicalId: wanted.id };
      event(ctx, stack, { ...base, status: "IMPORT_IN_PROGRESS" });
      const found = await RESOURCE_TYPES[decl.Type]!.read({ ctx, stackName: stack.name, logicalId }, wanted.id);
      if (!found) {
        event(ctx, stack, { ...base, status: "IMPORT_FAILED", reason: `${wanted.id} no longer exists` });
        stackEvent(
          ctx,
          stack,
          "IMPORT_ROLLBACK_COMPLETE",
          `The following resource(s) failed to import: [${logicalId}]. `,
        );
        return;
      }
      resource = {
        logicalId,
        type: decl.Type,
        ...found,
        // The template's declaration is what the next update is compared with, as after a CloudFormation import.
        properties: resolve(decl.Properties ?? {}, scope) as Record<string, unknown>,
        deletionPolicy: decl.DeletionPolicy === "Retain" ? "Retain" : "Delete",
        status: "IMPORT_COMPLETE",
        updated: new Date().toISOString(),
      };
      event(ctx, stack, { ...base, status: "IMPORT_COMPLETE" });
    }
    if (!resource) continue;
    kept.push(resource);
    scope.refs[logicalId] = resource.physicalId;
    scope.attributes[logicalId] = resource.attributes;
  }
  const outputs = resolveOutputs(template, scope);
  mutateStack(ctx, stack, (s) => {
    s.resources = kept;
    s.outputs = outputs;
  });
  stackEvent(ctx, stack, "IMPORT_COMPLETE");
}
