import type { Entry } from "ldapts";
import type { UserProfile } from "../directory/model.js";
import { first, type LdapConnection, values } from "./ldap-client.js";
import type { LdapSettings } from "./model.js";

export interface PersonRecord {
  externalId: string;
  dn: string;
  dnKey: string;
  profile: UserProfile;
  disabled: boolean;
}

export interface GroupRecord {
  externalId: string;
  dn: string;
  dnKey: string;
  name: string;
  description: string | null;
  /** Normalised DNs of its members (people and, for nested groups, groups). */
  memberDnKeys: string[];
}

export interface DirectoryRead {
  people: PersonRecord[];
  groups: GroupRecord[];
  /** The highest change marker among the entries read (the next incremental sync starts there). */
  marker: string | null;
  /** Entries that cannot become a person or group (no id, no login, no e-mail). */
  unusable: { dn: string; reason: string }[];
}

const SPACED = /\s[,=]|[,=]\s/;

/**
 * DNs compare case-insensitively and ignore spaces around separators; escaped commas stay part of their value.
 * Good enough for the DNs a server hands back for its own entries, which is all a sync compares.
 */
export function dnKey(dn: string): string {
  // The common case (no escapes, no spaces around separators) needs no parsing: a sync meets a million of these.
  if (!dn.includes("\\") && !SPACED.test(dn)) return dn.toLowerCase();
  return dn
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .split(/(?<!\\)=/)
        .map((part) => part.trim())
        .join("="),
    )
    .join(",")
    .toLowerCase();
}

/** AD's objectGUID is 16 bytes whose first three fields are little-endian; shown the way AD tools show it. */
export function formatGuid(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString("hex");
  const h = (i: number) => bytes[i]!.toString(16).padStart(2, "0");
  const seq = (idx: number[]) => idx.map(h).join("");
  return [seq([3, 2, 1, 0]), seq([5, 4]), seq([7, 6]), seq([8, 9]), seq([10, 11, 12, 13, 14, 15])].join("-");
}

/** RFC 4515 escaping of a value placed in a filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function laterMarker(kind: "time" | "counter", a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  if (kind === "counter") return BigInt(b) > BigInt(a) ? b : a;
  return b > a ? b : a;
}

function externalIdOf(entry: Entry, settings: LdapSettings): string | null {
  const v = values(entry, settings.mapping.externalId)[0];
  if (v === undefined) return null;
  return typeof v === "string" ? v.toLowerCase() : formatGuid(v);
}

function isDisabled(entry: Entry, settings: LdapSettings): boolean {
  const rule = settings.mapping.disabled;
  if (!rule) return false;
  if (rule.rule === "present") return values(entry, rule.attribute).length > 0;
  const uac = Number.parseInt(first(entry, rule.attribute) ?? "0", 10);
  return Number.isFinite(uac) && (uac & 2) === 2;
}

function person(entry: Entry, settings: LdapSettings): PersonRecord | string {
  const m = settings.mapping;
  const externalId = externalIdOf(entry, settings);
  if (!externalId) return `no ${m.externalId}`;
  const login = m.login.map((a) => first(entry, a)).find((v) => v);
  if (!login) return `no ${m.login.join(" or ")}`;
  const email = first(entry, m.email);
  if (!email) return `no ${m.email}`;
  return {
    externalId,
    dn: entry.dn,
    dnKey: dnKey(entry.dn),
    profile: {
      login,
      email,
      firstName: first(entry, m.firstName),
      lastName: first(entry, m.lastName),
      displayName: first(entry, m.displayName),
    },
    disabled: isDisabled(entry, settings),
  };
}

const RANGE = /;range=(\d+)-(\d+|\*)$/i;

/**
 * Every value of a group's member attribute. AD hands out large ones in slices (`member;range=0-1499`) and the
 * rest must be asked for by range until a slice ends in `*`.
 */
export async function memberValues(conn: LdapConnection, entry: Entry, attribute: string): Promise<string[]> {
  const out = values(entry, attribute).map(String);
  let ranged = rangedSlice(entry, attribute);
  while (ranged) {
    out.push(...ranged.values);
    if (ranged.end === "*") break;
    const next = `${attribute};range=${Number(ranged.end) + 1}-*`;
    const more = await conn.read(entry.dn, [next]);
    ranged = more ? rangedSlice(more, attribute) : null;
  }
  return out;
}

function rangedSlice(entry: Entry, attribute: string): { end: string; values: string[] } | null {
  const prefix = `${attribute.toLowerCase()};range=`;
  for (const [key, v] of Object.entries(entry)) {
    if (!key.toLowerCase().startsWith(prefix)) continue;
    const m = RANGE.exec(key);
    if (!m) continue;
    return { end: m[2]!, values: (Array.isArray(v) ? v : [v]).map(String) };
  }
  return null;
}

/**
 * Reads the people and groups in the source's scope, page by page. With a `since` marker, only the entries changed
 * at or after it (an incremental sync). Groups are read on `groupsConn`, at the same time as people when it is another
 * connection.
 */
export async function readDirectory(
  conn: LdapConnection,
  settings: LdapSettings,
  since: { people: string | null; groups: string | null },
  groupsConn: LdapConnection = conn,
): Promise<DirectoryRead> {
  const m = settings.mapping;
  const changed = (filter: string, from: string | null) =>
    from === null ? filter : `(&${filter}(${m.changeMarker.attribute}>=${escapeFilterValue(from)}))`;
  const binary = m.externalId.toLowerCase() === "objectguid" ? [m.externalId] : [];
  const result: DirectoryRead = { people: [], groups: [], marker: null, unusable: [] };
  const mark = (entry: Entry) => {
    result.marker = laterMarker(m.changeMarker.kind, result.marker, first(entry, m.changeMarker.attribute));
  };
  const unusablePeople: DirectoryRead["unusable"] = [];
  const unusableGroups: DirectoryRead["unusable"] = [];

  const personAttributes = [
    m.externalId,
    ...m.login,
    m.email,
    m.firstName,
    m.lastName,
    m.displayName,
    m.changeMarker.attribute,
    ...(m.disabled ? [m.disabled.attribute] : []),
  ];
  const readPeople = conn.searchPaged(
    settings.peopleBase,
    changed(settings.peopleFilter, since.people),
    personAttributes,
    { pageSize: settings.pageSize, binary },
    (entries) => {
      for (const entry of entries) {
        mark(entry);
        const p = person(entry, settings);
        if (typeof p === "string") unusablePeople.push({ dn: entry.dn, reason: p });
        else result.people.push(p);
      }
    },
  );

  const groupAttributes = [m.externalId, m.groupName, m.groupDescription, m.changeMarker.attribute, ...m.member];
  // With a second connection both searches run at once (a server pages one search per connection): the server
  // works on the groups while this side decodes people, instead of each side waiting for the other.
  if (groupsConn === conn) await readPeople;
  const readGroups = groupsConn.searchPaged(
    settings.groupsBase,
    changed(settings.groupsFilter, since.groups),
    groupAttributes,
    { pageSize: settings.pageSize, binary },
    async (entries) => {
      for (const entry of entries) {
        mark(entry);
        const externalId = externalIdOf(entry, settings);
        const name = first(entry, m.groupName);
        if (!externalId || !name) {
          unusableGroups.push({ dn: entry.dn, reason: `no ${externalId ? m.groupName : m.externalId}` });
          continue;
        }
        const members: string[] = [];
        for (const attribute of m.member) members.push(...(await memberValues(groupsConn, entry, attribute)));
        result.groups.push({
          externalId,
          dn: entry.dn,
          dnKey: dnKey(entry.dn),
          name,
          description: first(entry, m.groupDescription),
          memberDnKeys: members.map(dnKey),
        });
      }
    },
  );
  // Both settle before this returns (a failed one must not leave the other reading a closed connection).
  const [people, groups] = await Promise.allSettled([readPeople, readGroups]);
  if (people.status === "rejected") throw people.reason;
  if (groups.status === "rejected") throw groups.reason;
  result.unusable = [...unusablePeople, ...unusableGroups];
  return result;
}
