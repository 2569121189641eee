import type { Page } from "./contract.js";

/** Walks a cursor-paged listing to its end, one page in memory at a time. */
export async function* allPages<T>(fetch: (after: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await fetch(after);
    yield* page.items;
    after = page.nextCursor ?? undefined;
  } while (after);
}
