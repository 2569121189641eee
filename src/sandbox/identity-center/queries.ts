import type { Condition } from "./lists.js";
import { groupById, groupByName, userById, userByName } from "./lookup.js";
import type { IdentityCenterInstance, ScimGroup, ScimUser } from "./model.js";
import { ENTERPRISE_SCHEMA } from "./users.js";

type Instance = Readonly<IdentityCenterInstance>;

export const USER_FILTERS = ["userName", "externalId", "id", "manager", "manager.value", "groups.value"];
export const GROUP_FILTERS = ["displayName", "externalId", "id", "members", "members.value"];

const only = <T>(found: T | undefined): T[] => (found ? [found] : []);

/**
 * The users a filter selects, in the directory's order. A condition on a key (userName, id, a group's
 * members) narrows the candidates through the index first, so the look-ups clients make before every
 * create stay constant-time however many users the instance holds.
 */
export function matchUsers(instance: Instance, conditions: Condition[]): ScimUser[] {
  const membersOf = new Map<string, Set<string>>();
  const members = (groupId: string) => {
    let set = membersOf.get(groupId);
    if (!set) {
      set = new Set(groupById(instance, groupId)?.memberIds ?? []);
      membersOf.set(groupId, set);
    }
    return set;
  };
  const keyed = (attribute: string) => conditions.find((c) => c.attribute === attribute)?.value;
  const userName = keyed("userName");
  const id = keyed("id");
  const candidates =
    userName !== undefined
      ? only(userByName(instance, userName))
      : id !== undefined
        ? only(userById(instance, id))
        : instance.users;
  return candidates.filter((user) =>
    conditions.every((c) => {
      const a = user.attributes;
      switch (c.attribute) {
        case "userName":
          return String(a.userName).toLowerCase() === c.value.toLowerCase();
        case "externalId":
          return a.externalId === c.value;
        case "id":
          return user.id === c.value;
        case "groups.value":
          return members(c.value).has(user.id);
        default: {
          const enterprise = a[ENTERPRISE_SCHEMA] as { manager?: { value?: unknown } } | undefined;
          return enterprise?.manager?.value === c.value;
        }
      }
    }),
  );
}

/** The groups a filter selects; displayName and id go through the index. */
export function matchGroups(instance: Instance, conditions: Condition[]): ScimGroup[] {
  const keyed = (attribute: string) => conditions.find((c) => c.attribute === attribute)?.value;
  const displayName = keyed("displayName");
  const id = keyed("id");
  const candidates =
    displayName !== undefined
      ? only(groupByName(instance, displayName))
      : id !== undefined
        ? only(groupById(instance, id))
        : instance.groups;
  return candidates.filter((group) =>
    conditions.every((c) => {
      if (c.attribute === "displayName") return group.displayName === c.value;
      if (c.attribute === "externalId") return group.externalId === c.value;
      if (c.attribute === "id") return group.id === c.value;
      return group.memberIds.includes(c.value);
    }),
  );
}
