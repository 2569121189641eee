import { validationError } from "../protocol/errors.js";
import { REGION } from "./engine.js";
import { formatError } from "./template.js";

/**
 * The template's Rules section, checked before anything is written, as CloudFormation does: a rule whose
 * RuleCondition holds (or that has none) must have every Assertion true, else the call fails with the assertion's
 * description. Only the rule functions a deploy guard needs are emulated (Ref of parameters and pseudo parameters,
 * Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains); anything else is refused, never taken as true.
 */

export interface RuleScope {
  parameters: Record<string, unknown>;
  accountId: string;
  stackName: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function value(node: unknown, scope: RuleScope, where: string): unknown {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return node.map((n) => value(n, scope, where));
  if (isRecord(node) && Object.keys(node).length === 1 && typeof node.Ref === "string") {
    const pseudo: Record<string, string> = {
      "AWS::AccountId": scope.accountId,
      "AWS::Region": REGION,
      "AWS::Partition": "aws",
      "AWS::StackName": scope.stackName,
    };
    if (Object.hasOwn(pseudo, node.Ref)) return pseudo[node.Ref];
    if (Object.hasOwn(scope.parameters, node.Ref)) return scope.parameters[node.Ref];
    throw formatError(`${where}: Unresolved parameter [${node.Ref}] in Rules`);
  }
  return holds(node, scope, where);
}

function pair(arg: unknown, name: string, where: string): [unknown, unknown] {
  if (!Array.isArray(arg) || arg.length !== 2) throw formatError(`${where}: ${name} needs exactly two arguments`);
  return [arg[0], arg[1]];
}

function holds(node: unknown, scope: RuleScope, where: string): boolean {
  const [fn] = isRecord(node) ? Object.keys(node) : [];
  if (!isRecord(node) || fn === undefined || Object.keys(node).length !== 1)
    throw formatError(`${where}: a rule condition must be one rule function`);
  const arg = node[fn];
  const list = (n: string) => {
    if (!Array.isArray(arg) || arg.length < 1) throw formatError(`${where}: ${n} needs a list of conditions`);
    return arg.map((a) => holds(a, scope, where));
  };
  switch (fn) {
    case "Fn::Equals": {
      const [a, b] = pair(arg, fn, where);
      return JSON.stringify(value(a, scope, where)) === JSON.stringify(value(b, scope, where));
    }
    case "Fn::Contains": {
      const [items, item] = pair(arg, fn, where);
      const listed = value(items, scope, where);
      return Array.isArray(listed) && listed.includes(value(item, scope, where));
    }
    case "Fn::Not":
      return !list(fn)[0];
    case "Fn::And":
      return list(fn).every(Boolean);
    case "Fn::Or":
      return list(fn).some(Boolean);
    default:
      throw formatError(`${where}: the sandbox does not emulate ${fn} in Rules`);
  }
}

/** Throws the first failed assertion's description as a ValidationError. */
export function checkRules(rules: Record<string, unknown>, scope: RuleScope): void {
  for (const [name, rule] of Object.entries(rules)) {
    const where = `Rules/${name}`;
    if (!isRecord(rule) || !Array.isArray(rule.Assertions) || rule.Assertions.length === 0)
      throw formatError(`${where}: every rule needs a list of Assertions`);
    if (rule.RuleCondition !== undefined && !holds(rule.RuleCondition, scope, where)) continue;
    for (const assertion of rule.Assertions) {
      if (!isRecord(assertion) || assertion.Assert === undefined)
        throw formatError(`${where}: every assertion needs an Assert`);
      if (!holds(assertion.Assert, scope, where)) {
        const description = typeof assertion.AssertDescription === "string" ? assertion.AssertDescription : undefined;
        throw validationError(description ?? `Template error: rule ${name} failed its assertion`);
      }
    }
  }
}
