import { validationFailed } from "../core/errors.js";
import type { Page } from "./contract.js";

/** Part of the contract: a cursor no implementation issued is the caller's input error, on every backend. */
export const invalidCursor = () =>
  validationFailed("the pagination cursor is not one this server issued", [
    { path: "/after", message: "is not a cursor this server issued" },
  ]);

/** Walks a cursor-paged listing to its end, one page in memory at a time. */
export async function* allPages<T>(fetch: (after: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let after: string | undefined;
  do {
    const page = await fetch(after);
    yield* page.items;
    after = page.nextCursor ?? undefined;
  } while (after);
}
