import type { Membership } from "../directory/model.js";
import type { CsvInput } from "./csv.js";
import { PairSet } from "./pair-set.js";
import { groupKey, MEMBERSHIP_COLUMNS, type MembershipRow, nameKey, parseMembership } from "./rows.js";
import type { ImportRun, Ref } from "./run.js";

const BATCH = 10_000;

interface Pending {
  line: number;
  row: MembershipRow;
  userKey: string;
  groupKey: string;
}

/**
 * Memberships reference users by login and groups by source and name; each reference must exist in
 * the store or earlier in this import. A membership the store already has is counted, not refused.
 */
export async function importMemberships(run: ImportRun, file: string, input: CsvInput): Promise<void> {
  const counts = run.report.memberships;
  // Duplicate detection by index pairs, not strings: a million pairs take about 16 MB.
  const seenPairs = new PairSet();
  const missingUsers = new Set<string>();
  const missingGroups = new Set<string>();
  let batch: Pending[] = [];
  // Usually no rule exists and the import pays nothing more; otherwise the rules' source groups are known up front.
  const ruleSources = new Set((await run.tx.membershipRules.list()).map((r) => r.fromGroupId));

  const resolve = async () => {
    const logins = new Map<string, string>();
    const groups = new Map<string, { source: string; name: string }>();
    for (const p of batch) {
      if (!run.users.has(p.userKey) && !missingUsers.has(p.userKey)) logins.set(p.userKey, p.row.user);
      if (!run.groups.has(p.groupKey) && !missingGroups.has(p.groupKey)) {
        groups.set(p.groupKey, { source: p.row.source, name: p.row.group });
      }
    }
    if (logins.size) {
      const found = await run.tx.users.idsByLogin([...logins.values()]);
      for (const key of logins.keys()) {
        const id = found.get(key);
        if (id) run.users.set(key, run.ref(id));
        else missingUsers.add(key);
      }
    }
    if (groups.size) {
      const found = await run.tx.groups.idsByName([...groups.values()]);
      for (const key of groups.keys()) {
        const id = found.get(key);
        if (id) run.groups.set(key, run.ref(id));
        else missingGroups.add(key);
      }
    }
  };

  const missing = (p: Pending, what: "user" | "group"): string => {
    const rejectedAt = what === "user" ? run.rejectedUsers.get(p.userKey) : run.rejectedGroups.get(p.groupKey);
    const name = what === "user" ? `user ${JSON.stringify(p.row.user)}` : describeGroup(p.row);
    return rejectedAt === undefined
      ? `${name} does not exist`
      : `${name} is not imported: its row ${rejectedAt} has errors`;
  };

  const flush = async () => {
    if (!batch.length) return;
    await resolve();
    const rows: Membership[] = [];
    for (const p of batch) {
      const user: Ref | undefined = run.users.get(p.userKey);
      const group: Ref | undefined = run.groups.get(p.groupKey);
      if (!user || !group) {
        counts.rejected++;
        if (!user) run.fail({ file, line: p.line, column: "user", message: missing(p, "user") });
        if (!group) run.fail({ file, line: p.line, column: "group", message: missing(p, "group") });
        continue;
      }
      if (!seenPairs.add(user.index, group.index)) {
        counts.rejected++;
        const message = `duplicate row: user ${JSON.stringify(p.row.user)} in ${describeGroup(p.row)} appears earlier in the file`;
        run.fail({ file, line: p.line, message });
        continue;
      }
      rows.push({ groupId: group.id, userId: user.id, created: run.at });
    }
    counts.valid += rows.length;
    if (run.writing && rows.length) {
      const added = await run.tx.memberships.addMany(rows);
      counts.written += added;
      counts.existing += rows.length - added;
      for (const r of rows) {
        if (ruleSources.has(r.groupId)) run.ruleChanges.push({ groupId: r.groupId, added: [r.userId] });
      }
    }
    batch = [];
  };

  for await (const item of run.rows(file, input, MEMBERSHIP_COLUMNS, counts)) {
    const parsed = parseMembership(item.values);
    if (!parsed.ok) {
      counts.rejected++;
      for (const p of parsed.problems) run.fail({ file, line: item.line, column: p.column, message: p.message });
      continue;
    }
    const row = parsed.value;
    batch.push({ line: item.line, row, userKey: nameKey(row.user), groupKey: groupKey(row.source, row.group) });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}

function describeGroup(m: MembershipRow): string {
  return m.source === "local"
    ? `group ${JSON.stringify(m.group)}`
    : `group ${JSON.stringify(m.group)} (source ${m.source})`;
}
