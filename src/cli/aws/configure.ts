/** `rolebridge aws configure`: one AWS CLI profile per role, with `credential_process` pointing back here. */
import { readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { CliRole } from "./credentials.js";
import { writePrivateFile } from "./files.js";

export const awsConfigPath = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config");

/** Profile names the AWS CLI accepts without quoting: the role's `alias/role` with `/` made `-`. */
export const profileName = (prefix: string, role: CliRole) =>
  `${prefix}${role.name.replace(/[^A-Za-z0-9_.@+-]+/g, "-")}`;

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, "\\$1")}"`);

/** The command line the AWS CLI runs: this node and this rolebridge, so it works without a PATH. */
export function credentialProcess(flags: string[]): string {
  const bin = resolve(process.argv[1] ?? "rolebridge");
  return [process.execPath, bin, "aws", "credentials", ...flags].map(quote).join(" ");
}

interface Section {
  header: string | null;
  lines: string[];
}

function sections(text: string): Section[] {
  const out: Section[] = [{ header: null, lines: [] }];
  for (const line of text.split("\n")) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line)?.[1];
    if (header !== undefined) out.push({ header, lines: [line] });
    else out[out.length - 1]!.lines.push(line);
  }
  return out;
}

/**
 * Writes (or rewrites) exactly the named profiles and leaves every other line of the file as it was;
 * running it twice gives the same file.
 */
export function writeProfiles(
  path: string,
  profiles: { name: string; settings: Record<string, string> }[],
): { added: string[]; updated: string[] } {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const all = sections(text);
  const added: string[] = [];
  const updated: string[] = [];
  for (const p of profiles) {
    const header = `profile ${p.name}`;
    const body = [
      `[${header}]`,
      "# written by `rolebridge aws configure`; it rewrites this section",
      ...Object.entries(p.settings).map(([k, v]) => `${k} = ${v}`),
      "",
    ];
    const existing = all.find((s) => s.header === header);
    if (existing) {
      existing.lines = body;
      updated.push(p.name);
    } else {
      const last = all[all.length - 1]!;
      if (last.lines.length && last.lines[last.lines.length - 1] !== "") last.lines.push("");
      all.push({ header, lines: body });
      added.push(p.name);
    }
  }
  const out = `${all
    .flatMap((s) => s.lines)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+/, "")
    .trimEnd()}\n`;
  // A config kept elsewhere (a dotfiles repository) and linked in stays linked: the link's target is written.
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // Not there yet: written where asked.
  }
  writePrivateFile(target, out);
  return { added, updated };
}
