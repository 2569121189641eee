import type { ScimClient } from "./client.js";
import type { TargetProfile } from "./profiles.js";

type Json = Record<string, unknown>;

export interface Listing<T> {
  items: T[];
  /**
   * True only when the listing is proven whole: every page followed to its end and the counts agree. False when
   * the server may have held results back (a legacy result cap, ignored paging, a cursor it did not honour):
   * absence from it proves nothing, so anything missing is looked up before it is created.
   */
  complete: boolean;
}

/** How a collection is read page by page: RFC 9865 cursors, or RFC 7644 1-based `startIndex`. */
export type PagingMethod = "cursor" | "startIndex";

const MAX_PAGES = 10_000;

export function resourcesOf(body: Json): Json[] {
  return Array.isArray(body.Resources) ? (body.Resources as Json[]) : [];
}

/**
 * Reads a whole collection and says whether the result can be trusted as complete.
 *
 * Cursor paging sends `cursor` (empty) on the first request: a server such as AWS answers cursor form only when
 * asked, and otherwise the default non-paginated form — the first `count` results, `totalResults`, no
 * `nextCursor`. Without the cursor, or from a server that ignores it, a large collection ends after one page;
 * `totalResults` then exceeds what was read and the listing is reported incomplete, never taken as whole.
 */
export async function listAllResources(
  client: ScimClient,
  profile: Pick<TargetProfile, "maxPageSize" | "legacyResultCap">,
  path: string,
  method: PagingMethod,
): Promise<Listing<Json>> {
  return method === "cursor" ? listByCursor(client, profile, path) : listByIndex(client, profile.maxPageSize, path);
}

async function listByCursor(
  client: ScimClient,
  profile: Pick<TargetProfile, "maxPageSize" | "legacyResultCap">,
  path: string,
): Promise<Listing<Json>> {
  const items: Json[] = [];
  const seen = new Set<string>();
  let cursor = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const { body } = await client.request("GET", path, { query: { count: profile.maxPageSize, cursor } });
    const pageItems = resourcesOf(body);
    items.push(...pageItems);
    const next = typeof body.nextCursor === "string" && body.nextCursor ? body.nextCursor : null;
    if (next) {
      // A server handing back a cursor it gave before would loop forever: stop, and say the listing is partial.
      if (seen.has(next)) return { items, complete: false };
      seen.add(next);
      cursor = next;
      continue;
    }
    // The legacy endpoint stops at its cap with no next page, and its totals cannot be trusted.
    const cap = profile.legacyResultCap;
    if (page === 0 && cap !== null && pageItems.length >= cap) return { items, complete: false };
    // No next cursor: the last page — unless a total says more exist (the non-paginated answer to a server
    // that did not honour the cursor). RFC 9865 lets the cursor form leave the total out.
    const total = typeof body.totalResults === "number" ? body.totalResults : null;
    return { items, complete: total === null || items.length >= total };
  }
  return { items, complete: false };
}

async function listByIndex(client: ScimClient, pageSize: number, path: string): Promise<Listing<Json>> {
  const items: Json[] = [];
  let startIndex = 1;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { body } = await client.request("GET", path, { query: { count: pageSize, startIndex } });
    const pageItems = resourcesOf(body);
    const total = typeof body.totalResults === "number" ? body.totalResults : null;
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

/**
 * The paging a generic SCIM 2.0 server offers, from its ServiceProviderConfig: RFC 9865 cursors when it
 * advertises `pagination.cursor: true`, RFC 7644 `startIndex` otherwise (also when it publishes no such
 * document, answering 404 or the like). A refused token or an outage is not a capability answer: passed on.
 */
export async function advertisedPaging(client: ScimClient): Promise<PagingMethod> {
  try {
    const { body } = await client.request("GET", "/ServiceProviderConfig");
    const pagination = body.pagination;
    const cursor = typeof pagination === "object" && pagination !== null && (pagination as Json).cursor === true;
    return cursor ? "cursor" : "startIndex";
  } catch (error) {
    if ((error as { errorClass?: string }).errorClass !== "permanent") throw error;
    return "startIndex";
  }
}

/**
 * Remembers a target's advertised paging, so the ServiceProviderConfig is read once per target and process
 * rather than once per sync. A failed discovery is not remembered.
 */
export class PagingDiscovery {
  private found: Promise<PagingMethod> | null = null;

  method(client: ScimClient): Promise<PagingMethod> {
    if (!this.found) {
      this.found = advertisedPaging(client);
      this.found.catch(() => {
        this.found = null;
      });
    }
    return this.found;
  }
}

export function chunk<T>(items: T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
