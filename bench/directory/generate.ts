import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { join } from "node:path";

export interface Sizes {
  users: number;
  groups: number;
  memberships: number;
}

/** Writes lines through a stream, waiting on backpressure so memory stays flat whatever the size. */
async function writeCsv(path: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  out.write(`${header}\n`);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

export const loginOf = (i: number) => `user${i}@example.com`;

/** A tenth of the groups are AWS role groups from active_directory, as a migrated directory would have. */
function groupOf(i: number): { name: string; source: string } {
  return i % 10 === 0
    ? {
        name: `aws#account-${i % 97}#Role${i}#${String(100000000000 + i).padStart(12, "0")}`,
        source: "active_directory",
      }
    : { name: `group-${i}`, source: "local" };
}

/**
 * Deterministic and duplicate-free: membership k puts user k mod U into group (user * 7919 + k div U)
 * mod G, so each user's groups are distinct while memberships <= users * groups.
 */
export async function generate(dir: string, sizes: Sizes) {
  if (sizes.memberships > sizes.users * sizes.groups) throw new Error("more memberships than user-group pairs");
  const files = {
    users: join(dir, "users.csv"),
    groups: join(dir, "groups.csv"),
    memberships: join(dir, "memberships.csv"),
  };
  await writeCsv(files.users, "login,email,firstName,lastName,displayName,status", sizes.users, (i) => {
    const login = loginOf(i);
    return `${login},${login},First${i},Last${i},User ${i},ACTIVE`;
  });
  await writeCsv(files.groups, "name,description,source,externalId", sizes.groups, (i) => {
    const g = groupOf(i);
    return `${g.name},Group number ${i},${g.source},${g.source === "local" ? "" : `S-1-5-21-${i}`}`;
  });
  await writeCsv(files.memberships, "group,user,source", sizes.memberships, (k) => {
    const u = k % sizes.users;
    const g = groupOf((u * 7919 + Math.floor(k / sizes.users)) % sizes.groups);
    return `${g.name},${loginOf(u)},${g.source}`;
  });
  return files;
}
