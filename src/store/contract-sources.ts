/** Storage contract for directory sources (LDAP, Active Directory) and what their entries became here. */
import type { UserProfile, UserStatus } from "../core/directory/model.js";
import type { LdapSettings, SyncCounts, SyncKind, SyncStatus } from "../core/sources/model.js";

export interface DirectorySourceRow {
  id: string;
  name: string;
  type: "ldap";
  settings: LdapSettings;
  bindPasswordSealed: string;
  created: string;
  lastUpdated: string;
  version: number;
  /** Where an incremental sync resumes: the highest change marker (modifyTimestamp / uSNChanged) seen. */
  cursor: string | null;
  /** When the last successful full sync finished. */
  lastFullSync: string | null;
  lastSync: {
    at: string;
    kind: SyncKind;
    status: SyncStatus;
    error: string | null;
    counts: SyncCounts | null;
  } | null;
}

export interface NewDirectorySource {
  id: string;
  name: string;
  type: "ldap";
  settings: LdapSettings;
  bindPasswordSealed: string;
  at: string;
}

export interface SyncDue {
  syncedBefore: string;
  fullSyncedBefore?: string | undefined;
}

export type EntryKind = "person" | "group";

/** One directory entry and the rolebridge object it became. */
export interface SourceEntry {
  kind: EntryKind;
  externalId: string;
  objectId: string;
  dn: string;
  dnKey: string;
}

/** A person linked to the source, with what the sync compares. */
export interface LinkedPerson extends SourceEntry {
  profile: UserProfile;
  status: UserStatus;
}

export interface LinkedGroup extends SourceEntry {
  name: string;
  description: string | null;
}

export interface DirectorySourceRepo {
  insert(row: NewDirectorySource): Promise<DirectorySourceRow>;
  get(id: string): Promise<DirectorySourceRow | null>;
  getByName(name: string): Promise<DirectorySourceRow | null>;
  list(): Promise<DirectorySourceRow[]>;
  /** New settings (and, when given, a new sealed bind password); bumps the version. */
  update(
    id: string,
    settings: LdapSettings,
    bindPasswordSealed: string | null,
    at: string,
  ): Promise<DirectorySourceRow | null>;
  /** Removes the source and its entry links; the people and groups it made stay. */
  delete(id: string): Promise<boolean>;
  /** Records a sync's outcome; a successful one also moves the cursor (null leaves it). */
  recordSync(
    id: string,
    outcome: { at: string; kind: SyncKind; status: SyncStatus; error: string | null; counts: SyncCounts | null },
    cursor: string | null,
  ): Promise<void>;
  /**
   * Takes the sync lease when it is free or expired; false while another node holds it. With `due`, only when the
   * last sync (of any outcome) is older than `syncedBefore` and, if given, the last successful full sync older than
   * `fullSyncedBefore`: a scheduled run that another node just did is no longer due.
   */
  claim(id: string, now: string, leaseUntil: string, due?: SyncDue): Promise<boolean>;
  release(id: string): Promise<void>;

  /** Linked people (whose user still exists); all of them, or those with these external ids. */
  linkedPeople(sourceId: string, externalIds?: readonly string[]): Promise<LinkedPerson[]>;
  /** How many linked people are ACTIVE: what the deactivation safety compares against. */
  countActivePeople(sourceId: string): Promise<number>;
  linkedGroups(sourceId: string, externalIds?: readonly string[]): Promise<LinkedGroup[]>;
  /** The source a person came from and their DN there (for signing in with the directory password). */
  sourceOfPerson(userId: string): Promise<{ sourceId: string; dn: string } | null>;
  /** Entries with these normalised DNs (to resolve `member` values of an incremental sync). */
  entriesByDn(sourceId: string, dnKeys: readonly string[]): Promise<SourceEntry[]>;
  upsertEntries(sourceId: string, entries: readonly SourceEntry[]): Promise<void>;
  deleteEntries(sourceId: string, kind: EntryKind, externalIds: readonly string[]): Promise<void>;
  /** Members of these groups as (group, user) pairs. */
  memberPairs(groupIds: readonly string[]): Promise<{ groupId: string; userId: string }[]>;
  /** Removes these memberships (whoever made them) and touches each group's membership time. */
  removeMemberships(pairs: readonly { groupId: string; userId: string }[], at: string): Promise<number>;
}
