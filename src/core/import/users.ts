import type { NewUser } from "../../store/contract.js";
import { newId } from "../ids.js";
import type { CsvInput } from "./csv.js";
import { nameKey, parseUser, USER_COLUMNS } from "./rows.js";
import type { ImportRun } from "./run.js";

const BATCH = 2000;

interface Pending {
  line: number;
  key: string;
  user: NewUser;
}

/** Users: validated like the API; a login already in the file or in the store is refused. */
export async function importUsers(run: ImportRun, file: string, input: CsvInput): Promise<void> {
  const counts = run.report.users;
  const firstLine = new Map<string, number>();
  let batch: Pending[] = [];

  const flush = async () => {
    if (!batch.length) return;
    const existing = await run.tx.users.idsByLogin(batch.map((p) => p.user.profile.login));
    const fresh: Pending[] = [];
    for (const p of batch) {
      if (existing.has(p.key)) {
        counts.rejected++;
        run.rejectedUsers.set(p.key, `${file}:${p.line}`);
        run.fail({
          file,
          line: p.line,
          column: "login",
          message: `a user with login ${JSON.stringify(p.user.profile.login)} already exists`,
        });
      } else fresh.push(p);
    }
    counts.valid += fresh.length;
    for (const p of fresh) run.users.set(p.key, run.ref(p.user.id));
    if (run.writing && fresh.length) {
      await run.tx.users.insertMany(fresh.map((p) => p.user));
      counts.written += fresh.length;
    }
    batch = [];
  };

  for await (const item of run.rows(file, input, USER_COLUMNS, counts)) {
    const parsed = parseUser(item.values);
    const key = nameKey(item.values.get("login") ?? "");
    if (!parsed.ok) {
      counts.rejected++;
      if (key && !firstLine.has(key)) run.rejectedUsers.set(key, `${file}:${item.line}`);
      for (const p of parsed.problems) run.fail({ file, line: item.line, column: p.column, message: p.message });
      continue;
    }
    const first = firstLine.get(key);
    if (first !== undefined) {
      counts.rejected++;
      run.fail({
        file,
        line: item.line,
        column: "login",
        message: `duplicate login ${JSON.stringify(parsed.value.profile.login)} (first at line ${first})`,
      });
      continue;
    }
    firstLine.set(key, item.line);
    const user: NewUser = { id: newId("usr"), ...parsed.value, passwordHash: null, at: run.at };
    batch.push({ line: item.line, key, user });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}
