import type { Repos } from "../../store/contract.js";
import { DomainError } from "../errors.js";
import type { Group } from "./model.js";

/**
 * A group as people name it: its id (`grp_…`), or its name from whichever source holds it. Names are unique
 * per source only, so a name two sources hold needs `source`; a name that is not where it was looked for says
 * where it is, instead of claiming an existing group "does not exist".
 */
export async function resolveGroupRef(
  store: Pick<Repos, "groups">,
  ref: string,
  source?: string | undefined,
): Promise<Group> {
  const byId = await store.groups.get(ref);
  if (byId) return byId;
  if (source !== undefined) {
    const named = await store.groups.getByName(source, ref);
    if (named) return named;
  }
  const everywhere = (await store.groups.list({ name: ref }, { limit: 50 })).items;
  const sources = [...new Set(everywhere.map((g) => g.source))].sort();
  if (source !== undefined) {
    const elsewhere = sources.length ? `; found in: ${sources.join(", ")}` : "";
    throw new DomainError("not_found", `no group ${JSON.stringify(ref)} in source ${source}${elsewhere}`, {
      type: "group",
      id: ref,
      source,
      foundIn: sources,
    });
  }
  if (everywhere.length === 1) return everywhere[0]!;
  if (everywhere.length === 0)
    throw new DomainError("not_found", `no group ${JSON.stringify(ref)} in any source (give its name or grp_… id)`, {
      type: "group",
      id: ref,
      foundIn: [],
    });
  throw new DomainError(
    "usage",
    `the group name ${JSON.stringify(ref)} is in several sources: ${sources.join(", ")}; say which with --source <source>`,
    { type: "group", id: ref, foundIn: sources },
  );
}
