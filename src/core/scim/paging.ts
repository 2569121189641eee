import type { ScimClient } from "./client.js";
import type { TargetProfile } from "./profiles.js";

type Json = Record<string, unknown>;

export interface Listing<T> {
  items: T[];
  /** False when the server may have held back results (legacy result cap): look up before creating. */
  complete: boolean;
}

const MAX_PAGES = 10_000;

export function resourcesOf(body: Json): Json[] {
  return Array.isArray(body.Resources) ? (body.Resources as Json[]) : [];
}

/**
 * Reads a whole collection with the profile's paging, and says whether the result can be
 * trusted as complete. Absence from an incomplete listing proves nothing.
 */
export async function listAllResources(
  client: ScimClient,
  profile: TargetProfile,
  path: string,
): Promise<Listing<Json>> {
  const items: Json[] = [];
  let cursor: string | undefined;
  let startIndex = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query =
      profile.paging === "cursor" ? { count: profile.maxPageSize, cursor } : { count: profile.maxPageSize, startIndex };
    const { body } = await client.request("GET", path, { query });
    const pageItems = resourcesOf(body);
    const total = typeof body.totalResults === "number" ? body.totalResults : null;
    if (profile.paging === "cursor") {
      items.push(...pageItems);
      cursor = typeof body.nextCursor === "string" && body.nextCursor ? body.nextCursor : undefined;
      if (cursor) continue;
      // The legacy endpoint stops at its cap with no next page, and its totals cannot be trusted.
      const cap = profile.legacyResultCap;
      const capped = page === 0 && cap !== null && pageItems.length >= cap;
      return { items, complete: !capped && (total === null || total <= items.length) };
    }
    // A server that ignores startIndex hands back page one again: what we hold is all we can see.
    if (page > 0 && typeof body.startIndex === "number" && body.startIndex !== startIndex)
      return { items, complete: false };
    items.push(...pageItems);
    startIndex += pageItems.length;
    if (pageItems.length === 0 || (total !== null && items.length >= total)) {
      return { items, complete: total === null || items.length >= total };
    }
  }
  return { items, complete: false };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
