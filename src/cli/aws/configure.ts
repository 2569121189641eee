/** `rolebridge aws configure`: one AWS CLI profile per role, with `credential_process` pointing back here. */
import { readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { CliError } from "../output.js";
import type { CliRole } from "./credentials.js";
import { writePrivateFile } from "./files.js";

export const awsConfigPath = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_CONFIG_FILE ?? join(homedir(), ".aws", "config");

/** What the AWS CLI accepts in a profile name without quoting; anything else becomes `-`. */
const safe = (text: string) => text.replace(/[^A-Za-z0-9_.@+-]+/g, "-");

/** The plain profile name: the role's `alias/role` with `/` made `-`. */
export const profileName = (prefix: string, role: CliRole) => `${prefix}${safe(role.name)}`;

export interface NamedRole {
  name: string;
  role: CliRole;
  /** Why the plain name was not enough: the role is reachable through several apps, or shares alias/role. */
  suffixed: ("app" | "account")[];
}

/**
 * One profile name per (app, role). The plain name is kept unless two of the person's roles would share it
 * (the same role through two apps, or two accounts under one alias); then those, and only those, get the app
 * slug when their apps differ and the account id when two share an app. Names depend on the set of roles,
 * never their order, so every run gives every role the same name.
 */
export function profileNames(prefix: string, roles: CliRole[]): NamedRole[] {
  const distinct = [...new Map(roles.map((r) => [`${r.app}\n${r.roleArn}`, r])).values()];
  const groups = new Map<string, CliRole[]>();
  for (const r of distinct) groups.set(profileName(prefix, r), [...(groups.get(profileName(prefix, r)) ?? []), r]);
  const named = distinct.map((role): NamedRole => {
    const base = profileName(prefix, role);
    const group = groups.get(base)!;
    if (group.length === 1) return { name: base, role, suffixed: [] };
    const suffixed: NamedRole["suffixed"] = [];
    if (group.some((r) => r.app !== role.app)) suffixed.push("app");
    if (group.some((r) => r !== role && r.app === role.app)) suffixed.push("account");
    const parts = [base, ...(suffixed.includes("app") ? [safe(role.app)] : [])];
    if (suffixed.includes("account")) parts.push(role.accountId);
    return { name: parts.join("-"), role, suffixed };
  });
  // A suffixed name could still meet another role's plain name: refuse rather than write one over the other.
  const seen = new Map<string, NamedRole>();
  for (const n of named) {
    const other = seen.get(n.name);
    if (other) {
      throw new CliError(
        `two roles would share the AWS profile ${n.name} (${other.role.roleArn} via ${other.role.app} and ` +
          `${n.role.roleArn} via ${n.role.app}); nothing was written`,
      );
    }
    seen.set(n.name, n);
  }
  return named;
}

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
    // One run never writes one profile over another it has just written.
    if (added.includes(p.name) || updated.includes(p.name)) {
      throw new CliError(`the AWS profile ${p.name} is named twice; nothing was written`);
    }
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
