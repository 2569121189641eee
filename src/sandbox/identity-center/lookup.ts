import type { IdentityCenterInstance, ScimGroup, ScimUser } from "./model.js";

/**
 * Key → position indexes over an instance's users and groups, so a look-up by id, userName or displayName
 * costs the same at ten thousand objects as at ten. The state is copy-on-write, so every write hands back a
 * new array; the index follows it by comparing element references (cheap) and re-keying only the elements
 * that changed, and is rebuilt when the array shrank or most of it changed.
 */
class KeyIndex<T> {
  private seen: readonly T[] = [];
  private readonly positions = new Map<string, number>();

  constructor(private readonly keysOf: (item: T) => string[]) {}

  position(items: readonly T[], key: string): number | undefined {
    this.follow(items);
    return this.positions.get(key);
  }

  private follow(items: readonly T[]): void {
    if (items === this.seen) return;
    const changed: number[] = [];
    if (items.length >= this.seen.length) {
      for (let i = 0; i < this.seen.length && changed.length * 4 <= items.length; i++) {
        if (items[i] !== this.seen[i]) changed.push(i);
      }
    }
    if (items.length < this.seen.length || changed.length * 4 > items.length) {
      this.positions.clear();
      for (let i = 0; i < items.length; i++) this.add(items[i] as T, i);
    } else {
      for (const i of changed) {
        for (const key of this.keysOf(this.seen[i] as T)) {
          if (this.positions.get(key) === i) this.positions.delete(key);
        }
      }
      for (const i of changed) this.add(items[i] as T, i);
      for (let i = this.seen.length; i < items.length; i++) this.add(items[i] as T, i);
    }
    this.seen = items;
  }

  private add(item: T, i: number): void {
    for (const key of this.keysOf(item)) this.positions.set(key, i);
  }
}

interface InstanceIndexes {
  users: KeyIndex<ScimUser>;
  groups: KeyIndex<ScimGroup>;
}

const byTenant = new Map<string, InstanceIndexes>();

/** Keyed by tenant: sandboxes sharing a tenant id in one process only cost each other rebuilds, never answers. */
function indexesOf(instance: Readonly<IdentityCenterInstance>): InstanceIndexes {
  let found = byTenant.get(instance.tenantId);
  if (!found) {
    found = {
      users: new KeyIndex((u) => [`id:${u.id}`, `name:${String(u.attributes.userName).toLowerCase()}`]),
      groups: new KeyIndex((g) => [`id:${g.id}`, `name:${g.displayName}`]),
    };
    byTenant.set(instance.tenantId, found);
  }
  return found;
}

const at = <T>(items: readonly T[], i: number | undefined) => (i === undefined ? undefined : items[i]);

export function userIndexById(instance: Readonly<IdentityCenterInstance>, id: string): number | undefined {
  return indexesOf(instance).users.position(instance.users, `id:${id}`);
}

export const userById = (instance: Readonly<IdentityCenterInstance>, id: string) =>
  at(instance.users, userIndexById(instance, id));

/** userName is unique without regard to case, as in Identity Center. */
export const userByName = (instance: Readonly<IdentityCenterInstance>, userName: string) =>
  at(instance.users, indexesOf(instance).users.position(instance.users, `name:${userName.toLowerCase()}`));

export function groupIndexById(instance: Readonly<IdentityCenterInstance>, id: string): number | undefined {
  return indexesOf(instance).groups.position(instance.groups, `id:${id}`);
}

export const groupById = (instance: Readonly<IdentityCenterInstance>, id: string) =>
  at(instance.groups, groupIndexById(instance, id));

export const groupByName = (instance: Readonly<IdentityCenterInstance>, displayName: string) =>
  at(instance.groups, indexesOf(instance).groups.position(instance.groups, `name:${displayName}`));
