import { type Filter, parse } from "scim2-parse-filter";
import { badRequest } from "./errors.js";

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const MAX_COUNT = 100;
export const LEGACY_MAX_RESULTS = 50;

/** An `eq` condition on one supported attribute, its name normalised to the spelling in `supported`. */
export interface Condition {
  attribute: string;
  value: string;
}

/**
 * Parses with scim2-parse-filter, then keeps only what Identity Center answers: `eq` on the listed attributes,
 * joined by `and`. Everything else (or, not, value paths, other operators) is refused, never half-applied.
 */
export function parseFilter(text: string | undefined, supported: string[]): Condition[] {
  if (text === undefined || text.trim() === "") return [];
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw badRequest(`Invalid filter: ${text}`);
  }
  const conditions: Condition[] = [];
  const visit = (node: Filter) => {
    if (node.op === "and" && "filters" in node) {
      node.filters.forEach(visit);
      return;
    }
    if (node.op !== "eq" || !("compValue" in node)) throw badRequest(`Unsupported filter: ${text}`);
    const attribute = supported.find((s) => s.toLowerCase() === node.attrPath.toLowerCase());
    if (!attribute || typeof node.compValue !== "string") throw badRequest(`Unsupported filter: ${text}`);
    conditions.push({ attribute, value: node.compValue });
  };
  visit(ast);
  return conditions;
}

export interface Page<T> {
  items: T[];
  /** Non-paginated form only (no `cursor` asked): how many match in all. */
  totalResults: number | undefined;
  /** Cursor form only: where the next page starts; absent on the last page. */
  nextCursor: string | undefined;
  /** Which form the answer takes. */
  form: "plain" | "cursor";
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString("base64url");

function decodeCursor(cursor: string): number {
  if (cursor === "") return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw badRequest("Invalid cursor.");
  return Number(match[1]);
}

/**
 * Lists as AWS answers them since it adopted RFC 9865 (`count` 1–100, default 100; `startIndex` ignored):
 * - without `cursor`, the default non-paginated form: the first `count` matches with `totalResults` and
 *   `startIndex`, and no `nextCursor` — a client that does not ask for cursors sees page one only;
 * - with `cursor` (empty for the first page, then a `nextCursor`), the cursor form: `itemsPerPage` and, while
 *   more remain, `nextCursor`.
 * Legacy mode is the old behaviour: the first 50 matches and nothing to say more exist — what made clients
 * re-create user 51.
 */
export function page<T>(all: T[], query: Record<string, string | undefined>, legacy: boolean): Page<T> {
  let count = MAX_COUNT;
  if (query.count !== undefined) {
    if (!/^\d+$/.test(query.count) || Number(query.count) < 1 || Number(query.count) > MAX_COUNT) {
      throw badRequest(`count must be between 1 and ${MAX_COUNT}.`);
    }
    count = Number(query.count);
  }
  if (legacy) {
    const items = all.slice(0, Math.min(count, LEGACY_MAX_RESULTS));
    return { items, totalResults: items.length, nextCursor: undefined, form: "plain" };
  }
  if (query.cursor === undefined) {
    return { items: all.slice(0, count), totalResults: all.length, nextCursor: undefined, form: "plain" };
  }
  const offset = decodeCursor(query.cursor);
  const items = all.slice(offset, offset + count);
  const next = offset + items.length;
  return {
    items,
    totalResults: undefined,
    nextCursor: next < all.length ? encodeCursor(next) : undefined,
    form: "cursor",
  };
}

export function listResponse(resources: unknown[], result: Page<unknown>) {
  if (result.form === "cursor") {
    return {
      itemsPerPage: resources.length,
      schemas: [LIST_SCHEMA],
      Resources: resources,
      ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
    };
  }
  return {
    totalResults: result.totalResults,
    itemsPerPage: resources.length,
    startIndex: 1,
    schemas: [LIST_SCHEMA],
    Resources: resources,
  };
}
