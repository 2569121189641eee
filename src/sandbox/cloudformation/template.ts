import { parse as parseYaml, type Tags, type YAMLSeq } from "yaml";
import { AwsError, validationError } from "../protocol/errors.js";
import { SUPPORTED_TYPES } from "./resources.js";

/** A parsed, checked template: what the engine deploys. */
export interface Template {
  description?: string | undefined;
  parameters: Record<string, ParameterDeclaration>;
  resources: Record<string, ResourceDeclaration>;
  outputs: Record<string, { Value: unknown; Description?: string }>;
  /** The Rules section as written; prepare.ts checks it against the caller's account and the parameters. */
  rules: Record<string, unknown>;
}

export interface ParameterDeclaration {
  Type: string;
  Default?: string;
  AllowedPattern?: string;
  AllowedValues?: string[];
  MinLength?: number;
  MaxLength?: number;
  NoEcho?: boolean;
  Description?: string;
}

export interface ResourceDeclaration {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** CloudFormation's quota on one parameter value: what bounds metadata passed to the StackSet template. */
const MAX_PARAMETER_BYTES = 4096;

/** Anything else (Conditions, Mappings, a resource's Condition) changes what deploys: refused, not ignored. */
const SECTIONS = new Set([
  "Rules",
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Resources",
  "Outputs",
  "Transform",
]);
const RESOURCE_ATTRIBUTES = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "Metadata",
]);

export const formatError = (message: string) => validationError(`Template format error: ${message}`);

const FUNCTIONS: Record<string, string> = {
  Ref: "Ref",
  GetAtt: "Fn::GetAtt",
  Sub: "Fn::Sub",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  Base64: "Fn::Base64",
  // Rule functions: evaluated in Rules only (rules.ts); a resource using one is refused by resolve.
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Contains: "Fn::Contains",
};

/** CloudFormation's short-form YAML tags (`!Ref x`, `!GetAtt a.b`, `!Sub [..]`) as their long forms. */
const SHORT_TAGS: Tags = Object.entries(FUNCTIONS).flatMap(([short, long]) => [
  {
    tag: `!${short}`,
    resolve: (text: string) => ({ [long]: short === "GetAtt" ? text.split(".", 2) : text }),
  },
  {
    tag: `!${short}`,
    collection: "seq" as const,
    resolve: (seq: YAMLSeq) => ({ [long]: seq.toJSON() }),
  },
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function parseTemplateBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  if (body.trimStart().startsWith("{")) {
    try {
      parsed = JSON.parse(body);
    } catch {
      throw formatError("JSON not well-formed.");
    }
  } else {
    try {
      parsed = parseYaml(body, { customTags: SHORT_TAGS, prettyErrors: false });
    } catch (err) {
      throw formatError(`YAML not well-formed. (${(err as Error).message.split("\n")[0]})`);
    }
  }
  if (!isRecord(parsed)) throw formatError("not a JSON or YAML object.");
  return parsed;
}

/**
 * `Fn::ForEach::<name>: [Identifier, Collection, {OutputKey: Fragment}]` of the `AWS::LanguageExtensions`
 * transform, expanded in Resources: `${Identifier}` and `&{Identifier}` (non-alphanumerics dropped) in the output
 * key, `Ref: Identifier` and `${Identifier}` inside the fragment.
 */
function expandForEach(resources: Record<string, unknown>, parameters: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resources)) {
    if (!key.startsWith("Fn::ForEach::")) {
      out[key] = value;
      continue;
    }
    const [identifier, collection, fragment] = Array.isArray(value) ? value : [];
    if (typeof identifier !== "string" || !isRecord(fragment))
      throw formatError(`${key} must be [Identifier, Collection, {OutputKey: OutputValue}].`);
    const items = isRecord(collection) && typeof collection.Ref === "string" ? parameters[collection.Ref] : collection;
    if (!Array.isArray(items) || items.some((i) => typeof i !== "string"))
      throw formatError(`${key}: the collection must be a list of strings or a CommaDelimitedList parameter.`);
    for (const item of items as string[]) {
      if (item === "") continue;
      const substitute = (node: unknown): unknown => {
        if (typeof node === "string")
          return node
            .replaceAll(`\${${identifier}}`, item)
            .replaceAll(`&{${identifier}}`, item.replace(/[^A-Za-z0-9]/g, ""));
        if (Array.isArray(node)) return node.map(substitute);
        if (isRecord(node)) {
          if (node.Ref === identifier && Object.keys(node).length === 1) return item;
          return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k) as string, substitute(v)]));
        }
        return node;
      };
      Object.assign(out, substitute(fragment));
    }
  }
  return out;
}

/** Checks the template's shape and refuses what the sandbox does not emulate, in CloudFormation's wording. */
export function checkTemplate(raw: Record<string, unknown>, parameterValues: Record<string, unknown> = {}): Template {
  const transforms = raw.Transform === undefined ? [] : Array.isArray(raw.Transform) ? raw.Transform : [raw.Transform];
  for (const t of transforms) {
    if (t !== "AWS::LanguageExtensions")
      throw new AwsError("ValidationError", `Template format error: Unsupported transform ${String(t)} in the sandbox`);
  }
  for (const section of Object.keys(raw)) {
    if (!SECTIONS.has(section)) throw formatError(`the sandbox does not emulate the ${section} section`);
  }
  if (!isRecord(raw.Resources) || Object.keys(raw.Resources).length === 0)
    throw formatError("At least one Resources member must be defined.");
  const parameters = (isRecord(raw.Parameters) ? raw.Parameters : {}) as Record<string, ParameterDeclaration>;
  for (const [name, decl] of Object.entries(parameters)) {
    if (!isRecord(decl) || typeof decl.Type !== "string")
      throw formatError(`Every Parameters object must contain a Type member. (${name})`);
    if (!["String", "Number", "CommaDelimitedList"].includes(decl.Type))
      throw formatError(`Unrecognized parameter type: ${decl.Type}`);
  }
  const resources = (transforms.length > 0 ? expandForEach(raw.Resources, parameterValues) : raw.Resources) as Record<
    string,
    ResourceDeclaration
  >;
  const unknownTypes: string[] = [];
  for (const [id, decl] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]+$/.test(id)) throw formatError(`Resource name ${id} is non alphanumeric.`);
    if (!isRecord(decl) || typeof decl.Type !== "string")
      throw formatError(`[/Resources/${id}] Every Resources object must contain a Type member.`);
    if (!SUPPORTED_TYPES.has(decl.Type)) unknownTypes.push(decl.Type);
    const attribute = Object.keys(decl).find((k) => !RESOURCE_ATTRIBUTES.has(k));
    if (attribute) throw formatError(`[/Resources/${id}] the sandbox does not emulate the ${attribute} attribute`);
  }
  if (unknownTypes.length > 0)
    throw formatError(`Unrecognized resource types: [${[...new Set(unknownTypes)].join(", ")}]`);
  const outputs = (isRecord(raw.Outputs) ? raw.Outputs : {}) as Template["outputs"];
  return {
    description: typeof raw.Description === "string" ? raw.Description : undefined,
    parameters,
    resources,
    outputs,
    rules: isRecord(raw.Rules) ? raw.Rules : {},
  };
}

export function declaredParameters(raw: Record<string, unknown>): Record<string, ParameterDeclaration> {
  return (isRecord(raw.Parameters) ? raw.Parameters : {}) as Record<string, ParameterDeclaration>;
}

/** The parameter values a stack runs with: given ones, else defaults; checked against their declarations. */
export function resolveParameters(
  declared: Record<string, ParameterDeclaration>,
  given: Record<string, string>,
): Record<string, string> {
  const unknown = Object.keys(given).filter((k) => !Object.hasOwn(declared, k));
  if (unknown.length > 0) throw validationError(`Parameters: [${unknown.join(", ")}] do not exist in the template`);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, decl] of Object.entries(declared)) {
    const value = given[name] ?? decl.Default;
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const fail = (why: string) => validationError(`Parameter '${name}' ${why}`);
    if (Buffer.byteLength(value) > MAX_PARAMETER_BYTES)
      throw fail(`value is longer than CloudFormation's ${MAX_PARAMETER_BYTES}-byte limit for a parameter value`);
    if (decl.MinLength !== undefined && value.length < decl.MinLength)
      throw fail(`must contain at least ${decl.MinLength} characters`);
    if (decl.MaxLength !== undefined && value.length > decl.MaxLength)
      throw fail(`must contain at most ${decl.MaxLength} characters`);
    if (decl.AllowedPattern !== undefined && !new RegExp(`^(?:${decl.AllowedPattern})$`).test(value))
      throw fail(`must match pattern ${decl.AllowedPattern}`);
    if (decl.AllowedValues !== undefined && !decl.AllowedValues.includes(value))
      throw fail(`value '${value}' is not one of the allowed values`);
    if (decl.Type === "Number" && !/^-?\d+(\.\d+)?$/.test(value)) throw fail("must be a number");
    values[name] = value;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(", ")}] must have values`);
  return values;
}

/** Parameter values as intrinsics see them: a CommaDelimitedList is a list. */
export function parameterScope(
  declared: Record<string, ParameterDeclaration>,
  values: Record<string, string>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [
      k,
      declared[k]?.Type === "CommaDelimitedList" ? (v === "" ? [] : v.split(",").map((s) => s.trim())) : v,
    ]),
  );
}

/** The template a stack was last deployed with, as checked then (its own parameters expand any ForEach). */
export function stackTemplate(stack: { templateBody: string; parameters: Record<string, string> }): Template {
  const raw = parseTemplateBody(stack.templateBody);
  return checkTemplate(raw, parameterScope(declaredParameters(raw), stack.parameters));
}
