import { validationError } from "../protocol/errors.js";
import type { QueryInput } from "../protocol/handlers.js";
import { optionalInteger, optionalString, RULES } from "../protocol/params.js";
import { Members, type XmlValue } from "../protocol/query.js";

/**
 * IAM's Marker/MaxItems paging. The marker is opaque to clients; here it encodes the sort key of the last item
 * returned, so paging stays correct when items are added or removed between pages.
 */
export function page<T>(
  params: QueryInput,
  items: T[],
  sortKey: (item: T) => string,
  listName: string,
  render: (item: T) => XmlValue,
): Record<string, unknown> {
  const maxItems = optionalInteger(params, "MaxItems", 1, 1000) ?? 100;
  const marker = optionalString(params, "Marker", RULES.marker);
  let after: string | undefined;
  if (marker !== undefined) {
    after = Buffer.from(marker, "base64url").toString("utf8");
    if (!after.startsWith("m1:")) throw validationError("Invalid Marker.");
    after = after.slice(3);
  }
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  const remaining = after === undefined ? sorted : sorted.filter((item) => sortKey(item) > (after as string));
  const shown = remaining.slice(0, maxItems);
  const truncated = remaining.length > shown.length;
  const last = shown[shown.length - 1];
  return {
    [listName]: new Members(shown.map(render)),
    IsTruncated: truncated,
    Marker: truncated && last !== undefined ? Buffer.from(`m1:${sortKey(last)}`).toString("base64url") : undefined,
  };
}

export const byPathPrefix = <T extends { path: string }>(items: T[], prefix: string) =>
  items.filter((item) => item.path.startsWith(prefix));
