import { randomUUID } from "node:crypto";
import { scimPatch } from "scim-patch";
import { badRequest, conflict, notFound, quotaExceeded } from "./errors.js";
import { userById, userByName, userIndexById } from "./lookup.js";
import { DEFAULT_QUOTAS, type IdentityCenterInstance, type ScimUser } from "./model.js";
import { checkPatchBody, type PatchOperation, targetOf } from "./patch.js";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const SIMPLE = [
  "userName",
  "externalId",
  "displayName",
  "nickName",
  "profileUrl",
  "title",
  "userType",
  "preferredLanguage",
  "locale",
  "timezone",
] as const;
const SINGLE_VALUED_LISTS = ["emails", "addresses", "phoneNumbers", "roles"] as const;
const REJECTED = ["password", "ims", "photos", "x509Certificates", "entitlements", "groups"];
const ADDRESS_PARTS = ["streetAddress", "locality", "region", "postalCode", "country"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown) => typeof v === "string" && v.trim() !== "";

/** Checks a whole user as AWS would store it and returns only the attributes Identity Center keeps. */
export function checkUser(input: unknown): Record<string, unknown> {
  if (!isObject(input)) throw badRequest();
  for (const name of REJECTED) {
    if (input[name] !== undefined) throw badRequest(`Attribute ${name} is not supported.`);
  }
  const name = input.name;
  if (!nonEmpty(input.userName) || !nonEmpty(input.displayName) || !isObject(name)) throw badRequest();
  if (!nonEmpty(name.givenName) || !nonEmpty(name.familyName)) throw badRequest();
  if (String(input.userName).length > 128) throw badRequest();
  const user: Record<string, unknown> = {};
  for (const key of SIMPLE) {
    if (input[key] === undefined || input[key] === null) continue;
    if (typeof input[key] !== "string") throw badRequest();
    user[key] = input[key];
  }
  user.name = name;
  if (input.active !== undefined && typeof input.active !== "boolean") throw badRequest();
  user.active = input.active ?? true;
  for (const key of SINGLE_VALUED_LISTS) {
    const list = input[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every(isObject)) throw badRequest();
    if (list.length > 1) throw badRequest("List attributes only allow single item.");
    if (list.length === 0) continue;
    const item = list[0] as Record<string, unknown>;
    if (key !== "roles" && item.display !== undefined)
      throw badRequest(`Sub-attribute display of ${key} is not supported.`);
    if (key === "emails" && item.primary !== true) throw badRequest("The email must be primary.");
    if (key === "addresses" && !ADDRESS_PARTS.every((p) => nonEmpty(item[p]))) {
      throw badRequest(`An address must carry all of ${ADDRESS_PARTS.join(", ")}.`);
    }
    user[key] = list;
  }
  const enterprise = input[ENTERPRISE_SCHEMA];
  if (enterprise !== undefined) {
    if (!isObject(enterprise)) throw badRequest();
    user[ENTERPRISE_SCHEMA] = enterprise;
  }
  return user;
}

export function userResource(user: ScimUser) {
  const schemas = [USER_SCHEMA, ...(user.attributes[ENTERPRISE_SCHEMA] ? [ENTERPRISE_SCHEMA] : [])];
  return {
    id: user.id,
    ...(user.attributes.externalId === undefined ? {} : { externalId: user.attributes.externalId }),
    meta: { resourceType: "User", created: user.created, lastModified: user.lastModified },
    schemas,
    ...Object.fromEntries(Object.entries(user.attributes).filter(([k]) => k !== "externalId")),
  };
}

/**
 * Writes read the committed state (`base`) and change only the draft elements they replace, so a write
 * never walks — or copies — the other users.
 */
type Instance = Readonly<IdentityCenterInstance>;

function requireUnique(base: Instance, userName: unknown, selfId?: string) {
  const holder = userByName(base, String(userName));
  if (holder && holder.id !== selfId) throw conflict("Refused to create a new, duplicate resource.");
}

export function findUser(instance: Instance, id: string): ScimUser {
  const user = userById(instance, id);
  if (!user) throw notFound(`User not found: ${id}`);
  return user;
}

function replaceAt(base: Instance, draft: IdentityCenterInstance, user: ScimUser): ScimUser {
  const index = userIndexById(base, user.id);
  if (index === undefined) throw notFound(`User not found: ${user.id}`);
  draft.users[index] = user;
  return user;
}

/** Identity store ids: ten hex digits of the store, then a UUID. */
export const storeObjectId = (instance: Instance) =>
  `${instance.identityStoreId.replace(/^d-/, "").slice(0, 10)}-${randomUUID()}`;

export function createUser(base: Instance, draft: IdentityCenterInstance, body: unknown, now: string): ScimUser {
  const attributes = checkUser(body);
  requireUnique(base, attributes.userName);
  const quota = (base.settings.quotas ?? DEFAULT_QUOTAS).users;
  if (base.users.length >= quota) throw quotaExceeded("users", quota);
  const user = { id: storeObjectId(base), created: now, lastModified: now, attributes };
  draft.users.push(user);
  return user;
}

export function replaceUser(
  base: Instance,
  draft: IdentityCenterInstance,
  id: string,
  body: unknown,
  now: string,
): ScimUser {
  const user = findUser(base, id);
  const attributes = checkUser(body);
  requireUnique(base, attributes.userName, id);
  return replaceAt(base, draft, { ...user, attributes, lastModified: now });
}

const UNREMOVABLE = ["username", "active"];

export function patchUser(
  base: Instance,
  draft: IdentityCenterInstance,
  id: string,
  body: unknown,
  now: string,
): ScimUser {
  const user = findUser(base, id);
  const operations = checkPatchBody(body);
  const touched = new Map<string, number>();
  for (const op of operations) {
    const targets = op.path === undefined ? Object.keys(isObject(op.value) ? op.value : {}) : [targetOf(op.path)];
    for (const target of targets.map((t) => t.toLowerCase())) {
      if (op.op === "remove" && UNREMOVABLE.includes(target)) throw badRequest(`Cannot remove ${target}.`);
      if (REJECTED.some((r) => r.toLowerCase() === target)) throw badRequest(`Attribute ${target} is not supported.`);
      touched.set(target, (touched.get(target) ?? 0) + 1);
    }
  }
  for (const name of UNREMOVABLE) {
    if ((touched.get(name) ?? 0) > 1) throw badRequest(`Only one operation on ${name} is allowed per request.`);
  }
  const patched = applyPatch({ schemas: [USER_SCHEMA], ...user.attributes }, operations);
  const attributes = checkUser(patched);
  requireUnique(base, attributes.userName, id);
  return replaceAt(base, draft, { ...user, attributes, lastModified: now });
}

function applyPatch(resource: Record<string, unknown>, operations: PatchOperation[]): Record<string, unknown> {
  try {
    // A deep copy: the resource shares its objects with the committed state, which a refused patch must not touch.
    return scimPatch(resource as never, operations as never, {
      mutateDocument: false,
      treatMissingAsAdd: true,
    }) as Record<string, unknown>;
  } catch (err) {
    throw badRequest(err instanceof Error ? err.message : undefined);
  }
}

export function deleteUser(base: Instance, draft: IdentityCenterInstance, id: string): void {
  findUser(base, id);
  draft.users = base.users.filter((u) => u.id !== id);
  base.groups.forEach((group, i) => {
    if (group.memberIds.includes(id))
      draft.groups[i] = { ...group, memberIds: group.memberIds.filter((m) => m !== id) };
  });
}
