import { badRequest, conflict, notFound, quotaExceeded } from "./errors.js";
import { groupById, groupByName, groupIndexById, userById } from "./lookup.js";
import { DEFAULT_QUOTAS, type IdentityCenterInstance, type ScimGroup } from "./model.js";
import { checkPatchBody, targetOf } from "./patch.js";
import { storeObjectId } from "./users.js";

export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const MAX_MEMBERSHIP_CHANGES = 100;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Writes read the committed state (`base`) and replace only the draft elements they change. */
type Instance = Readonly<IdentityCenterInstance>;

/** Members must be provisioned users: Identity Center has no nested groups. */
function memberIds(instance: Instance, value: unknown, adding = true): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    const id = isObject(m) ? m.value : undefined;
    if (typeof id !== "string") throw badRequest();
    if (groupById(instance, id)) throw badRequest("Nested groups are not supported.");
    if (adding && !userById(instance, id)) throw badRequest(`Member ${id} is not a user of this directory.`);
    return id;
  });
}

/** GET never lists members: Identity Center answers membership only through filters. */
export function groupResource(group: ScimGroup) {
  return {
    id: group.id,
    ...(group.externalId === undefined ? {} : { externalId: group.externalId }),
    meta: { resourceType: "Group", created: group.created, lastModified: group.lastModified },
    schemas: [GROUP_SCHEMA],
    displayName: group.displayName,
    members: [],
  };
}

export function findGroup(instance: Instance, id: string): ScimGroup {
  const group = groupById(instance, id);
  if (!group) throw notFound(`Group not found: ${id}`);
  return group;
}

function requireUnique(instance: Instance, displayName: string, selfId?: string) {
  const holder = groupByName(instance, displayName);
  if (holder && holder.id !== selfId) throw conflict("Group already exists");
}

export function createGroup(instance: Instance, draft: IdentityCenterInstance, body: unknown, now: string): ScimGroup {
  if (!isObject(body) || typeof body.displayName !== "string" || body.displayName.trim() === "") throw badRequest();
  if (body.externalId !== undefined && typeof body.externalId !== "string") throw badRequest();
  const members = body.members === undefined ? [] : memberIds(instance, body.members);
  if (members.length > MAX_MEMBERSHIP_CHANGES) throw badRequest("A group can be created with at most 100 members.");
  requireUnique(instance, body.displayName);
  const quota = (instance.settings.quotas ?? DEFAULT_QUOTAS).groups;
  if (instance.groups.length >= quota) throw quotaExceeded("groups", quota);
  const group: ScimGroup = {
    id: storeObjectId(instance),
    created: now,
    lastModified: now,
    displayName: body.displayName,
    externalId: body.externalId,
    memberIds: [...new Set(members)],
  };
  draft.groups.push(group);
  return group;
}

/**
 * The membership operations a request would spend, read before it is handled (AWS throttles them before doing
 * anything): each member in a group create, each member a group PATCH adds or removes. An unreadable body
 * costs none; the handler refuses it.
 */
export function membershipOperations(method: string, segments: string[], rawBody: unknown): number {
  const [collection, id] = segments;
  if (collection !== "Groups" || typeof rawBody !== "string") return 0;
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return 0;
  }
  if (!isObject(body)) return 0;
  const size = (v: unknown) => (Array.isArray(v) ? v.length : v === undefined ? 0 : 1);
  if (method === "POST" && id === undefined) return size(body.members);
  if (method !== "PATCH" || id === undefined || !Array.isArray(body.Operations)) return 0;
  let count = 0;
  for (const op of body.Operations) {
    if (!isObject(op)) continue;
    const path = typeof op.path === "string" ? op.path : undefined;
    if (path === undefined) count += isObject(op.value) ? size(op.value.members) : 0;
    else if (MEMBER_FILTER.test(path)) count += 1;
    else if (path.toLowerCase() === "members") count += size(op.value);
  }
  return count;
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i;

export function patchGroup(
  instance: Instance,
  draft: IdentityCenterInstance,
  id: string,
  body: unknown,
  now: string,
): ScimGroup {
  const group = { ...findGroup(instance, id) };
  const index = groupIndexById(instance, id) as number;
  const operations = checkPatchBody(body);
  const members = new Set(group.memberIds);
  let changes = 0;
  for (const op of operations) {
    const fields = op.path === undefined ? (isObject(op.value) ? op.value : {}) : { [op.path]: op.value };
    for (const [path, value] of Object.entries(fields)) {
      const target = targetOf(path).toLowerCase();
      // Okta's rename is `replace` with { id, displayName }: restating the group's own id is not a change.
      if (target === "id" && op.op === "replace" && op.path === undefined && value === group.id) continue;
      if (target === "displayname" || target === "externalid") {
        if (op.op === "remove" || typeof value !== "string" || value.trim() === "") throw badRequest();
        if (target === "displayname") {
          requireUnique(instance, value, id);
          group.displayName = value;
        } else group.externalId = value;
        continue;
      }
      if (target !== "members") throw badRequest(`Attribute ${path} cannot be patched.`);
      const byFilter = MEMBER_FILTER.exec(path);
      if (op.op === "replace") throw badRequest("Replacing all members of a group is not supported.");
      if (op.op === "remove" && !byFilter && value === undefined) {
        throw badRequest("Removing all members of a group is not supported.");
      }
      const ids = byFilter ? [byFilter[1] ?? ""] : memberIds(instance, value, op.op === "add");
      changes += ids.length;
      for (const member of ids) {
        if (op.op === "add") members.add(member);
        else members.delete(member);
      }
    }
  }
  if (changes > MAX_MEMBERSHIP_CHANGES) {
    throw badRequest(`At most ${MAX_MEMBERSHIP_CHANGES} membership changes are allowed per request.`);
  }
  group.memberIds = [...members];
  group.lastModified = now;
  draft.groups[index] = group;
  return group;
}

export function deleteGroup(instance: Instance, draft: IdentityCenterInstance, id: string): void {
  findGroup(instance, id);
  draft.groups = instance.groups.filter((g) => g.id !== id);
  draft.assignments = instance.assignments.filter((a) => a.groupId !== id);
}
