import { type Filter, parse } from "scim2-parse-filter";
import type { AwsGroup, AwsUser } from "./aws-fake.js";

/** AWS's error statuses and eq-only filters, for the fake in aws-fake.ts. */
export class AwsError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export const invalid = (message = "Request is unparsable, syntactically incorrect, or violates schema.") =>
  new AwsError(400, message);

export function userAttr(user: AwsUser, name: string): string[] {
  if (name === "username") return [user.userName.toLowerCase()];
  if (name === "externalid") return user.externalId ? [user.externalId] : [];
  if (name === "id") return [user.id];
  throw invalid(`filter on ${name} is not supported`);
}

export function groupAttr(group: AwsGroup, name: string): string[] {
  if (name === "displayname") return [group.displayName];
  if (name === "externalid") return group.externalId ? [group.externalId] : [];
  if (name === "id") return [group.id];
  if (name === "members") return [...group.members];
  throw invalid(`filter on ${name} is not supported`);
}

/** Only `eq` joined by `and`, as AWS allows; anything else is a 400. */
export function matcher<T>(filter: string, attr: (item: T, name: string) => string[]): (item: T) => boolean {
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch {
    throw invalid("invalid filter");
  }
  const terms: [string, string][] = [];
  const collect = (node: Filter): void => {
    if (node.op === "and" && "filters" in node) node.filters.forEach(collect);
    else if (node.op === "eq" && "compValue" in node) terms.push([node.attrPath.toLowerCase(), String(node.compValue)]);
    else throw invalid(`filter operator ${node.op} is not supported`);
  };
  collect(ast);
  return (item) =>
    terms.every(([name, value]) => attr(item, name).includes(name === "username" ? value.toLowerCase() : value));
}
