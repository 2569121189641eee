/**
 * Directory sources: an LDAP server (OpenLDAP, Active Directory, …) whose people and groups rolebridge mirrors.
 * The source's name is the `source` its groups carry, which is what an AWS app's App Filter trusts.
 */

export const PRESETS = ["openldap", "active-directory"] as const;
export type Preset = (typeof PRESETS)[number];

/** How directory attributes become a rolebridge person and group. */
export interface AttributeMapping {
  /** The stable external id: `entryUUID` (OpenLDAP) or `objectGUID` (AD, binary: formatted as a GUID). */
  externalId: string;
  /** Tried in order: the first present value is the login. */
  login: string[];
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  groupName: string;
  groupDescription: string;
  /** Attributes holding a group's member DNs (`member`, `uniqueMember`); AD hands large ones out in ranges. */
  member: string[];
  /**
   * When a person counts as disabled: `uac` reads AD's userAccountControl ACCOUNTDISABLE bit (0x2); `present` means
   * the attribute's presence disables (OpenLDAP ppolicy's `pwdAccountLockedTime`).
   */
  disabled: { attribute: string; rule: "uac" | "present" } | null;
  /** What an incremental sync filters on: `modifyTimestamp` (generalized time) or `uSNChanged` (a counter). */
  changeMarker: { attribute: string; kind: "time" | "counter" };
}

export interface LdapSettings {
  url: string;
  /** Upgrade `ldap://` with StartTLS (required unless the server is on loopback or the mode is development). */
  startTls: boolean;
  /** PEM bundle the server's certificate must chain to (public data, not sealed). */
  caBundle: string | null;
  bindDn: string;
  peopleBase: string;
  peopleFilter: string;
  groupsBase: string;
  groupsFilter: string;
  preset: Preset;
  mapping: AttributeMapping;
  /** Members of a nested group count as members of the groups holding it (rolebridge groups are flat). */
  nestedGroups: boolean;
  /** A sync that would deactivate more than this share of the source's active people stops for confirmation. */
  maxDeactivationShare: number;
  /** Entries read per page (RFC 2696). */
  pageSize: number;
  /** People of this source sign in with their directory password (a bind as them), not a rolebridge one. */
  passwordSignIn: boolean;
  /** Scheduled syncs (null: only on demand): incremental every so many minutes, full every so many. */
  schedule: { incrementalMinutes: number | null; fullMinutes: number | null };
}

export type SyncKind = "full" | "incremental";
export type SyncStatus = "succeeded" | "failed" | "needs_confirmation";

export interface SyncCounts {
  /** People in scope read from the directory (a full sync) or changed (an incremental one). */
  people: number;
  groups: number;
  /** Memberships of the synced groups after the sync. */
  memberships: number;
  created: number;
  updated: number;
  reactivated: number;
  deactivated: number;
  groupsCreated: number;
  groupsUpdated: number;
  groupsRemoved: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  /** Entries skipped: a login held by a person from elsewhere, a duplicate group name, an invalid profile. */
  skipped: number;
}

export const emptyCounts = (): SyncCounts => ({
  people: 0,
  groups: 0,
  memberships: 0,
  created: 0,
  updated: 0,
  reactivated: 0,
  deactivated: 0,
  groupsCreated: 0,
  groupsUpdated: 0,
  groupsRemoved: 0,
  membershipsAdded: 0,
  membershipsRemoved: 0,
  skipped: 0,
});

export interface DirectorySource {
  id: string;
  name: string;
  type: "ldap";
  settings: LdapSettings;
  /** Write-only: only whether it is set is ever shown. */
  bindPassword: "set";
  created: string;
  lastUpdated: string;
  version: number;
  cursor: string | null;
  lastFullSync: string | null;
  lastSync: {
    at: string;
    kind: SyncKind;
    status: SyncStatus;
    error: string | null;
    counts: SyncCounts | null;
  } | null;
}

export const PRESET_MAPPINGS: Record<Preset, AttributeMapping> = {
  openldap: {
    externalId: "entryUUID",
    login: ["uid", "mail"],
    email: "mail",
    firstName: "givenName",
    lastName: "sn",
    displayName: "displayName",
    groupName: "cn",
    groupDescription: "description",
    member: ["member", "uniqueMember"],
    disabled: { attribute: "pwdAccountLockedTime", rule: "present" },
    changeMarker: { attribute: "modifyTimestamp", kind: "time" },
  },
  "active-directory": {
    externalId: "objectGUID",
    login: ["userPrincipalName", "sAMAccountName"],
    email: "mail",
    firstName: "givenName",
    lastName: "sn",
    displayName: "displayName",
    groupName: "cn",
    groupDescription: "description",
    member: ["member"],
    disabled: { attribute: "userAccountControl", rule: "uac" },
    changeMarker: { attribute: "uSNChanged", kind: "counter" },
  },
};

export const PRESET_FILTERS: Record<Preset, { people: string; groups: string }> = {
  openldap: {
    people: "(objectClass=inetOrgPerson)",
    groups: "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
  },
  "active-directory": {
    people: "(&(objectCategory=person)(objectClass=user))",
    groups: "(objectClass=group)",
  },
};
