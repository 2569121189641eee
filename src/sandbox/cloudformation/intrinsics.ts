import { formatError } from "./template.js";

/** What intrinsic functions can see while a stack is being written. */
export interface Scope {
  parameters: Record<string, unknown>;
  pseudo: Record<string, string>;
  /** `Ref` of resources already written. */
  refs: Record<string, string>;
  attributes: Record<string, Record<string, string>>;
}

export const NO_VALUE = Symbol("AWS::NoValue");

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Logical ids a fragment refers to (Ref, Fn::GetAtt, ${x} in Fn::Sub): the edges of the dependency graph. */
export function references(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) references(item, into);
  else if (isRecord(node)) {
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === "Ref" && typeof node.Ref === "string") into.add(node.Ref);
    else if (keys.length === 1 && keys[0] === "Fn::GetAtt") {
      const target = node["Fn::GetAtt"];
      const id = Array.isArray(target) ? target[0] : typeof target === "string" ? target.split(".")[0] : undefined;
      if (typeof id === "string") into.add(id);
    } else if (keys.length === 1 && keys[0] === "Fn::Sub") {
      const arg = node["Fn::Sub"];
      const text = Array.isArray(arg) ? arg[0] : arg;
      if (typeof text === "string") for (const m of text.matchAll(/\$\{([^!}.][^}.]*)(?:\.[^}]*)?\}/g)) into.add(m[1]!);
      if (Array.isArray(arg)) references(arg[1], into);
    } else for (const value of Object.values(node)) references(value, into);
  }
  return into;
}

function ref(name: string, scope: Scope): unknown {
  if (name === "AWS::NoValue") return NO_VALUE;
  if (Object.hasOwn(scope.pseudo, name)) return scope.pseudo[name];
  if (Object.hasOwn(scope.parameters, name)) return scope.parameters[name];
  if (Object.hasOwn(scope.refs, name)) return scope.refs[name];
  throw formatError(`Unresolved resource dependencies [${name}] in the Resources block of the template`);
}

function getAtt(id: string, attribute: string, scope: Scope): string {
  const value = scope.attributes[id]?.[attribute];
  if (value === undefined)
    throw formatError(`Template error: resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
  return value;
}

function sub(text: string, vars: Record<string, unknown>, scope: Scope): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (Object.hasOwn(vars, name)) return String(vars[name]);
    const dot = name.indexOf(".");
    if (dot > 0 && !name.startsWith("AWS::")) return getAtt(name.slice(0, dot), name.slice(dot + 1), scope);
    const value = ref(name, scope);
    if (typeof value !== "string") throw formatError(`Fn::Sub: ${whole} is not a string`);
    return value;
  });
}

/** Evaluates Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::Base64; AWS::NoValue drops the key. */
export function resolve(node: unknown, scope: Scope): unknown {
  if (Array.isArray(node)) return node.map((n) => resolve(n, scope)).filter((n) => n !== NO_VALUE);
  if (!isRecord(node)) return node;
  const keys = Object.keys(node);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && (only === "Ref" || only.startsWith("Fn::"))) {
    const arg = node[only];
    switch (only) {
      case "Ref":
        if (typeof arg !== "string") throw formatError("Ref must be a string");
        return ref(arg, scope);
      case "Fn::GetAtt": {
        const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        return getAtt(String(id), String(attribute), scope);
      }
      case "Fn::Sub": {
        if (typeof arg === "string") return sub(arg, {}, scope);
        const [text, vars] = Array.isArray(arg) ? arg : [];
        if (typeof text !== "string") throw formatError("Fn::Sub needs a string or [string, {variables}]");
        return sub(text, isRecord(vars) ? (resolve(vars, scope) as Record<string, unknown>) : {}, scope);
      }
      case "Fn::Join": {
        const [delimiter, list] = Array.isArray(arg) ? arg : [];
        const items = resolve(list, scope);
        if (typeof delimiter !== "string" || !Array.isArray(items))
          throw formatError("Fn::Join needs [delimiter, [values]]");
        return items.map(String).join(delimiter);
      }
      case "Fn::Select": {
        const [index, list] = Array.isArray(arg) ? arg : [];
        const items = resolve(list, scope);
        const i = Number(resolve(index, scope));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length)
          throw formatError("Fn::Select index out of range");
        return items[i];
      }
      case "Fn::Split": {
        const [delimiter, text] = Array.isArray(arg) ? arg : [];
        const value = resolve(text, scope);
        if (typeof delimiter !== "string" || typeof value !== "string")
          throw formatError("Fn::Split needs [delimiter, string]");
        return value.split(delimiter);
      }
      case "Fn::Base64":
        return Buffer.from(String(resolve(arg, scope))).toString("base64");
      default:
        throw formatError(`Unsupported function ${only} in the sandbox`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const resolved = resolve(value, scope);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}
