import { createReadStream } from "node:fs";
import { access, constants } from "node:fs/promises";
import type { Command } from "commander";
import { cliActor } from "../../core/audit.js";
import { type ImportFiles, type ImportReport, importDirectory } from "../../core/import/index.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { CliError, printJson, printTable } from "../output.js";

interface ImportPaths {
  users?: string | undefined;
  groups?: string | undefined;
  memberships?: string | undefined;
}

async function openFiles(paths: ImportPaths): Promise<ImportFiles> {
  const files: ImportFiles = {};
  for (const kind of ["users", "groups", "memberships"] as const) {
    const path = paths[kind];
    if (path === undefined) continue;
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new CliError(`cannot read the ${kind} file ${path}`, "not_found", { path });
    }
    files[kind] = { name: path, input: createReadStream(path, { highWaterMark: 1 << 20 }) };
  }
  return files;
}

function printReport(report: ImportReport): void {
  printTable(
    ["KIND", "ROWS", "WRITTEN", "ALREADY THERE", "REJECTED"],
    (["users", "groups", "memberships"] as const).map((k) => [
      k,
      report[k].rows,
      report[k].written,
      report[k].existing,
      report[k].rejected,
    ]),
  );
}

/** Row problems go to stderr like compiler diagnostics (`file:line: column: message`), one per line. */
function printProblems(report: ImportReport): void {
  for (const e of report.errors) {
    process.stderr.write(`${e.file}:${e.line}: ${e.column ? `${e.column}: ` : ""}${e.message}\n`);
  }
  const hidden = report.errorCount - report.errors.length;
  if (hidden > 0) process.stderr.write(`… and ${hidden} more\n`);
}

/** Shared by `import`, `users import` and `groups import`: one transaction over the files given. */
export async function runImport(opts: CommonOptions & { partial?: boolean }, paths: ImportPaths): Promise<void> {
  if (!paths.users && !paths.groups && !paths.memberships) {
    throw new CliError("nothing to import: give --users, --groups and/or --memberships");
  }
  const files = await openFiles(paths);
  const report = await withRuntime(opts, (rt) =>
    importDirectory(rt.store, files, { actor: cliActor(), partial: opts.partial, clock: rt.clock }),
  );
  if (opts.json) printJson(report);
  else printReport(report);
  if (!opts.json) printProblems(report);
  if (!report.committed) {
    throw new CliError(
      `import refused: ${report.errorCount} problem${report.errorCount === 1 ? "" : "s"}; nothing was written (--partial keeps the good rows)`,
      "validation_failed",
      { errorCount: report.errorCount },
    );
  }
}

export function registerImportCommand(program: Command): void {
  withCommonOptions(
    program
      .command("import")
      .description("Import users, groups and memberships from CSV in one transaction; see docs/import.md")
      .option("--users <file>", "users CSV: login,email[,firstName,lastName,displayName,status]")
      .option("--groups <file>", "groups CSV: name[,description,source,externalId]")
      .option("--memberships <file>", "memberships CSV: group,user[,source]")
      .option("--partial", "keep the good rows when some are bad (default: write nothing)"),
  ).action((opts: CommonOptions & ImportPaths & { partial?: boolean }) =>
    runImport(opts, { users: opts.users, groups: opts.groups, memberships: opts.memberships }),
  );
}
