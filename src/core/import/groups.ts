import type { NewGroup } from "../../store/contract.js";
import { newId } from "../ids.js";
import type { CsvInput } from "./csv.js";
import { GROUP_COLUMNS, type GroupRow, groupKey, parseGroup } from "./rows.js";
import type { ImportRun } from "./run.js";

const BATCH = 2000;

interface Pending {
  line: number;
  key: string;
  group: NewGroup;
}

/**
 * External ids already used per source. The store has no lookup by external id, so the first row of a
 * source that carries one pages through that source's groups once; sources are few and small.
 */
async function externalIdsOf(run: ImportRun, source: string, cache: Map<string, Set<string>>) {
  let ids = cache.get(source);
  if (ids) return ids;
  ids = new Set();
  let after: string | undefined;
  do {
    const page = await run.tx.groups.list({ source }, { limit: 1000, after });
    for (const g of page.items) if (g.externalId !== null) ids.add(g.externalId);
    after = page.nextCursor ?? undefined;
  } while (after);
  cache.set(source, ids);
  return ids;
}

const describe = (g: GroupRow) => `${JSON.stringify(g.name)} (source ${g.source})`;

/** Groups: names unique per source (case-insensitive), external ids unique per source. */
export async function importGroups(run: ImportRun, file: string, input: CsvInput): Promise<void> {
  const counts = run.report.groups;
  const firstLine = new Map<string, number>();
  const externalFirstLine = new Map<string, number>();
  const storedExternalIds = new Map<string, Set<string>>();
  let batch: Pending[] = [];

  const refuse = (line: number, key: string, column: string, message: string) => {
    counts.rejected++;
    if (!run.groups.has(key)) run.rejectedGroups.set(key, `${file}:${line}`);
    run.fail({ file, line, column, message });
  };

  const flush = async () => {
    if (!batch.length) return;
    const existing = await run.tx.groups.idsByName(batch.map((p) => p.group));
    const fresh: Pending[] = [];
    for (const p of batch) {
      if (existing.has(p.key)) refuse(p.line, p.key, "name", `the group ${describe(p.group)} already exists`);
      else fresh.push(p);
    }
    counts.valid += fresh.length;
    for (const p of fresh) run.groups.set(p.key, run.ref(p.group.id));
    if (run.writing && fresh.length) {
      await run.tx.groups.insertMany(fresh.map((p) => p.group));
      counts.written += fresh.length;
    }
    batch = [];
  };

  for await (const item of run.rows(file, input, GROUP_COLUMNS, counts)) {
    const parsed = parseGroup(item.values);
    const key = groupKey(item.values.get("source") || "local", item.values.get("name") ?? "");
    if (!parsed.ok) {
      counts.rejected++;
      if (!firstLine.has(key)) run.rejectedGroups.set(key, `${file}:${item.line}`);
      for (const p of parsed.problems) run.fail({ file, line: item.line, column: p.column, message: p.message });
      continue;
    }
    const g = parsed.value;
    const first = firstLine.get(key);
    if (first !== undefined) {
      refuse(item.line, key, "name", `duplicate group ${describe(g)} (first at line ${first})`);
      continue;
    }
    if (g.externalId !== null) {
      const externalKey = `${g.source}\u0000${g.externalId}`;
      const firstExternal = externalFirstLine.get(externalKey);
      if (firstExternal !== undefined) {
        const message = `duplicate external id ${JSON.stringify(g.externalId)} in source ${g.source} (first at line ${firstExternal})`;
        refuse(item.line, key, "externalId", message);
        continue;
      }
      if ((await externalIdsOf(run, g.source, storedExternalIds)).has(g.externalId)) {
        const message = `source ${g.source} already has a group with external id ${JSON.stringify(g.externalId)}`;
        refuse(item.line, key, "externalId", message);
        continue;
      }
      externalFirstLine.set(externalKey, item.line);
    }
    firstLine.set(key, item.line);
    batch.push({ line: item.line, key, group: { id: newId("grp"), ...g, at: run.at } });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}
