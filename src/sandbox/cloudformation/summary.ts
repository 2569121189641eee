import { validationError } from "../protocol/errors.js";
import type { QueryHandler, QueryInput } from "../protocol/handlers.js";
import { requireCaller } from "../protocol/handlers.js";
import { Members } from "../protocol/query.js";
import { findStack } from "./engine.js";
import { missingStack } from "./stacks.js";
import { declaredParameters, formatError, parseTemplateBody } from "./template.js";

/** The template a summary call names: its body, or a stack's current template. */
function templateOf(ctx: Parameters<QueryHandler>[0], input: QueryInput): Record<string, unknown> {
  const name = input.get("StackName");
  if (name !== undefined) {
    const stack = findStack(ctx.store.state, requireCaller(ctx).accountId, name);
    if (!stack) throw missingStack(name);
    return parseTemplateBody(stack.templateBody);
  }
  const body = input.get("TemplateBody");
  if (body === undefined) throw validationError("Either Template URL or Template Body must be specified.");
  return parseTemplateBody(body);
}

function parameters(raw: Record<string, unknown>, defaultKey: "DefaultValue") {
  return new Members(
    Object.entries(declaredParameters(raw)).map(([key, p]) => ({
      ParameterKey: key,
      [defaultKey]: p.Default,
      ParameterType: p.Type,
      NoEcho: p.NoEcho ?? false,
      Description: p.Description,
    })),
  );
}

const resourcesOf = (raw: Record<string, unknown>) => {
  const resources = raw.Resources;
  if (typeof resources !== "object" || resources === null)
    throw formatError("At least one Resources member must be defined.");
  return Object.values(resources as Record<string, { Type?: unknown }>);
};

/** Called by `aws cloudformation deploy` when the stack exists, to carry its parameters over. */
const getTemplateSummary: QueryHandler = async (ctx) => {
  await ctx.authorize({ action: "cloudformation:GetTemplateSummary", resource: "*" });
  const raw = templateOf(ctx, ctx.input);
  const types = resourcesOf(raw).flatMap((r) => (typeof r?.Type === "string" ? [r.Type] : []));
  return {
    Parameters: parameters(raw, "DefaultValue"),
    Description: typeof raw.Description === "string" ? raw.Description : undefined,
    Version: typeof raw.AWSTemplateFormatVersion === "string" ? raw.AWSTemplateFormatVersion : undefined,
    ResourceTypes: new Members([...new Set(types)]),
    DeclaredTransforms: new Members(raw.Transform === undefined ? [] : [raw.Transform].flat().map(String)),
  };
};

const validateTemplate: QueryHandler = async (ctx) => {
  await ctx.authorize({ action: "cloudformation:ValidateTemplate", resource: "*" });
  const raw = templateOf(ctx, new Map([...ctx.input].filter(([k]) => k !== "StackName")));
  resourcesOf(raw);
  return {
    Parameters: parameters(raw, "DefaultValue"),
    Description: typeof raw.Description === "string" ? raw.Description : undefined,
  };
};

export const summaryOperations = { GetTemplateSummary: getTemplateSummary, ValidateTemplate: validateTemplate };
