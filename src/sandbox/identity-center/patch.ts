import { badRequest } from "./errors.js";

export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface PatchOperation {
  op: "add" | "replace" | "remove";
  path?: string;
  value?: unknown;
}

/**
 * The PatchOp envelope as Identity Center reads it: op names only in lower case (RFC 7644 allows any case,
 * AWS does not), and a path on every remove.
 */
export function checkPatchBody(body: unknown): PatchOperation[] {
  if (typeof body !== "object" || body === null) throw badRequest();
  const { schemas, Operations } = body as { schemas?: unknown; Operations?: unknown };
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA)) throw badRequest();
  if (!Array.isArray(Operations) || Operations.length === 0) throw badRequest();
  return Operations.map((raw) => {
    if (typeof raw !== "object" || raw === null) throw badRequest();
    const { op, path, value } = raw as Record<string, unknown>;
    if (op !== "add" && op !== "replace" && op !== "remove") throw badRequest(`Unsupported operation ${String(op)}.`);
    if (path !== undefined && typeof path !== "string") throw badRequest();
    if (op === "remove" && !path) throw badRequest("A remove operation needs a path.");
    if (op !== "remove" && value === undefined) throw badRequest();
    return { op, ...(path === undefined ? {} : { path }), ...(value === undefined ? {} : { value }) };
  });
}

/** The top-level attribute a path names: `emails[type eq "work"].value` → `emails`, `name.givenName` → `name`. */
export function targetOf(path: string): string {
  if (path.startsWith("urn:")) return path.includes(":User:") ? path.slice(0, path.lastIndexOf(":")) : path;
  return path.split(/[.[]/)[0] ?? path;
}
