import { constraintError, validationError } from "./errors.js";
import type { QueryInput } from "./handlers.js";

export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** The pattern as AWS prints it in its constraint message. */
  patternText?: string;
}

/** Checks a value against AWS's member constraints, answering with AWS's ValidationError wording. */
export function checkString(name: string, value: string, rule: StringRule): string {
  if (rule.min !== undefined && value.length < rule.min) {
    throw constraintError(name, `Member must have length greater than or equal to ${rule.min}`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    throw constraintError(name, `Member must have length less than or equal to ${rule.max}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw constraintError(
      name,
      `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`,
      value,
    );
  }
  return value;
}

export function optionalString(params: QueryInput, name: string, rule: StringRule = {}): string | undefined {
  const value = params.get(name);
  return value === undefined ? undefined : checkString(name, value, rule);
}

export function requiredString(params: QueryInput, name: string, rule: StringRule = {}): string {
  const value = params.get(name);
  if (value === undefined) throw constraintError(name, "Member must not be null", null);
  return checkString(name, value, rule);
}

export function optionalInteger(params: QueryInput, name: string, min: number, max: number): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw validationError(`Invalid value for parameter ${name}: ${raw}`);
  const value = Number(raw);
  if (value < min) throw constraintError(name, `Member must have value greater than or equal to ${min}`, raw);
  if (value > max) throw constraintError(name, `Member must have value less than or equal to ${max}`, raw);
  return value;
}

export function optionalBoolean(params: QueryInput, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  if (raw !== "true" && raw !== "false") throw validationError(`Invalid value for parameter ${name}: ${raw}`);
  return raw === "true";
}

export const RULES = {
  roleName: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" },
  userName: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" },
  policyName: { min: 1, max: 128, pattern: /^[\w+=,.@-]+$/, patternText: "[\\w+=,.@-]+" },
  path: {
    min: 1,
    max: 512,
    pattern: /^(\/[\x21-\x7E]*\/|\/)$/,
    patternText: "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
  },
  pathPrefix: { min: 1, max: 512, pattern: /^\/[\x21-\x7E]*$/, patternText: "\\u002F[\\u0021-\\u007F]*" },
  arn: { min: 20, max: 2048 },
  document: {
    min: 1,
    max: 131072,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: tab, LF and CR are exactly what IAM's pattern allows.
    pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
    patternText: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
  },
  description: { max: 1000 },
  marker: { min: 1, max: 320 },
} satisfies Record<string, StringRule>;
