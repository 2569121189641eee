import { AwsError, validationError } from "../protocol/errors.js";
import type { QueryInput } from "../protocol/handlers.js";
import { references } from "./intrinsics.js";
import type { Stack } from "./model.js";
import { checkRules } from "./rules.js";
import {
  checkTemplate,
  declaredParameters,
  formatError,
  parameterScope,
  parseTemplateBody,
  resolveParameters,
  type Template,
} from "./template.js";

/** A request's template and parameters, checked before anything is written: what a stack operation will deploy. */
export interface Prepared {
  templateBody: string;
  template: Template;
  /** As given or defaulted, for DescribeStacks. */
  parameterValues: Record<string, string>;
  /** As intrinsics see them (lists split). */
  scope: Record<string, unknown>;
  capabilities: string[];
  transformed: boolean;
}

/** `Prefix.member.N.Field` entries grouped by N, in order. */
export function readMembers(input: QueryInput, prefix: string): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.(\\w+))?$`);
  for (const [key, value] of input) {
    const m = pattern.exec(key);
    if (!m) continue;
    const entry = byIndex.get(Number(m[1])) ?? {};
    entry[m[2] ?? "value"] = value;
    byIndex.set(Number(m[1]), entry);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

const PSEUDO = new Set([
  "AWS::AccountId",
  "AWS::Region",
  "AWS::Partition",
  "AWS::URLSuffix",
  "AWS::StackName",
  "AWS::StackId",
  "AWS::NoValue",
]);

function checkReferences(template: Template): void {
  const known = new Set([...Object.keys(template.parameters), ...Object.keys(template.resources), ...PSEUDO]);
  const used = references([
    Object.values(template.resources).map((r) => r.Properties ?? {}),
    Object.values(template.outputs),
  ]);
  const dangling = [...used].filter((r) => !known.has(r));
  if (dangling.length > 0)
    throw formatError(
      `Unresolved resource dependencies [${dangling.join(", ")}] in the Resources block of the template`,
    );
}

/** IAM roles need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM; a transform on a stack call CAPABILITY_AUTO_EXPAND. */
function checkCapabilities(p: Omit<Prepared, "capabilities">, given: string[], changeSet: boolean): void {
  const roles = Object.values(p.template.resources).filter((r) => r.Type === "AWS::IAM::Role");
  const needed: string[] = [];
  if (roles.some((r) => r.Properties?.RoleName !== undefined)) {
    if (!given.includes("CAPABILITY_NAMED_IAM")) needed.push("CAPABILITY_NAMED_IAM");
  } else if (roles.length > 0 && !given.includes("CAPABILITY_IAM") && !given.includes("CAPABILITY_NAMED_IAM")) {
    needed.push("CAPABILITY_IAM");
  }
  if (p.transformed && !changeSet && !given.includes("CAPABILITY_AUTO_EXPAND")) needed.push("CAPABILITY_AUTO_EXPAND");
  if (needed.length > 0)
    throw new AwsError("InsufficientCapabilitiesException", `Requires capabilities : [${needed.join(", ")}]`, 400);
}

/**
 * Reads TemplateBody (or the stack's previous template), Parameters (with UsePreviousValue) and Capabilities from a
 * CreateStack / UpdateStack / CreateChangeSet request and checks them all.
 */
export function prepare(
  input: QueryInput,
  previous: Stack | undefined,
  changeSet: boolean,
  target: { accountId: string; stackName: string },
): Prepared {
  if (input.has("TemplateURL"))
    throw validationError("The sandbox reads templates from TemplateBody only, not TemplateURL");
  let templateBody = input.get("TemplateBody");
  if (input.get("UsePreviousTemplate") === "true") {
    if (!previous) throw validationError("UsePreviousTemplate needs an existing stack");
    templateBody = previous.templateBody;
  }
  if (templateBody === undefined) throw validationError("Either Template URL or Template Body must be specified.");
  const raw = parseTemplateBody(templateBody);
  const given: Record<string, string> = {};
  for (const m of readMembers(input, "Parameters")) {
    if (!m.ParameterKey) throw validationError("ParameterKey is required for every parameter");
    const value = m.UsePreviousValue === "true" ? previous?.parameters[m.ParameterKey] : m.ParameterValue;
    if (value === undefined) throw validationError(`Parameter ${m.ParameterKey} has no value and no previous value`);
    given[m.ParameterKey] = value;
  }
  const declared = declaredParameters(raw);
  const parameterValues = resolveParameters(declared, given);
  const scope = parameterScope(declared, parameterValues);
  const template = checkTemplate(raw, scope);
  checkReferences(template);
  checkRules(template.rules, { parameters: scope, ...target });
  const capabilities = readMembers(input, "Capabilities").map((m) => m.value ?? "");
  const prepared = { templateBody, template, parameterValues, scope, transformed: raw.Transform !== undefined };
  checkCapabilities(prepared, capabilities, changeSet);
  return { ...prepared, capabilities };
}
