import type { Store } from "../../store/contract.js";
import type { DirectorySourceRow } from "../../store/contract-sources.js";
import { type Actor, diff, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { GROUP_SOURCE } from "../directory/validate.js";
import { DomainError, type FieldError, notFound, validationFailed } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { LdapConnection, transportProblem } from "./ldap-client.js";
import {
  type AttributeMapping,
  type DirectorySource,
  type LdapSettings,
  PRESET_FILTERS,
  PRESET_MAPPINGS,
  PRESETS,
  type Preset,
  type SyncKind,
} from "./model.js";
import { bindPasswordContext, runSync, type SyncOptions, type SyncReport } from "./sync.js";
import { assertOu, type WriteBackItem, writeBackRoleGroups } from "./write-back.js";

export interface AddLdapInput {
  name: string;
  url: string;
  startTls?: boolean | undefined;
  caBundle?: string | null | undefined;
  bindDn: string;
  bindPassword: string;
  peopleBase: string;
  peopleFilter?: string | undefined;
  groupsBase: string;
  groupsFilter?: string | undefined;
  preset?: Preset | undefined;
  /** Attributes that differ from the preset's. */
  mapping?: Partial<AttributeMapping> | undefined;
  nestedGroups?: boolean | undefined;
  maxDeactivationShare?: number | undefined;
  pageSize?: number | undefined;
  schedule?: Partial<LdapSettings["schedule"]> | undefined;
  passwordSignIn?: boolean | undefined;
}

export type SourcePatch = Partial<Omit<AddLdapInput, "name">>;

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const DEFAULT_SHARE = 0.1;
const DEFAULT_PAGE = 500;
/** Okta's directory agents import about this often; a full sync a day also catches deletions. */
const DEFAULT_SCHEDULE = { incrementalMinutes: 15, fullMinutes: 24 * 60 };
/** Names that already mean something as a group source. */
const RESERVED = new Set(["local", "okta"]);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
const CONTROL = /[\u0000-\u001f\u007f]/;

export function toView(row: DirectorySourceRow): DirectorySource {
  const { bindPasswordSealed: _sealed, ...rest } = row;
  return { ...rest, bindPassword: "set" };
}

function balanced(filter: string): boolean {
  if (!filter.startsWith("(") || !filter.endsWith(")")) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === "\\") i++;
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

function settingsOf(input: AddLdapInput, production: boolean): LdapSettings {
  const errors: FieldError[] = [];
  const preset = input.preset ?? "openldap";
  if (!PRESETS.includes(preset)) errors.push({ path: "/preset", message: `must be one of ${PRESETS.join(", ")}` });
  if (
    !GROUP_SOURCE.test(input.name) ||
    input.name.includes(":") ||
    RESERVED.has(input.name) ||
    input.name.startsWith("csv")
  )
    errors.push({
      path: "/name",
      message:
        "must be 2-64 lower-case letters, digits and _ starting with a letter (e.g. active_directory, corp_ldap), not local, okta or csv…",
    });
  const settings: LdapSettings = {
    url: input.url,
    startTls: input.startTls ?? false,
    caBundle: input.caBundle ?? null,
    bindDn: input.bindDn,
    peopleBase: input.peopleBase,
    peopleFilter: input.peopleFilter ?? PRESET_FILTERS[preset]?.people ?? "",
    groupsBase: input.groupsBase,
    groupsFilter: input.groupsFilter ?? PRESET_FILTERS[preset]?.groups ?? "",
    preset,
    mapping: { ...PRESET_MAPPINGS[preset], ...(input.mapping ?? {}) },
    nestedGroups: input.nestedGroups ?? false,
    maxDeactivationShare: input.maxDeactivationShare ?? DEFAULT_SHARE,
    pageSize: input.pageSize ?? DEFAULT_PAGE,
    schedule: { ...DEFAULT_SCHEDULE, ...(input.schedule ?? {}) },
    passwordSignIn: input.passwordSignIn ?? false,
  };
  const transport = transportProblem(settings, production);
  if (transport) errors.push({ path: "/url", message: transport });
  for (const [path, value] of [
    ["/bindDn", settings.bindDn],
    ["/peopleBase", settings.peopleBase],
    ["/groupsBase", settings.groupsBase],
  ] as const) {
    if (!value || value.length > 1024 || CONTROL.test(value) || !value.includes("="))
      errors.push({ path, message: "must be a distinguished name (e.g. ou=people,dc=example,dc=com)" });
  }
  for (const [path, value] of [
    ["/peopleFilter", settings.peopleFilter],
    ["/groupsFilter", settings.groupsFilter],
  ] as const) {
    if (value.length > 4096 || CONTROL.test(value) || !balanced(value))
      errors.push({ path, message: "must be an LDAP filter in parentheses, e.g. (objectClass=inetOrgPerson)" });
  }
  if (!input.bindPassword) errors.push({ path: "/bindPassword", message: "is required" });
  if (settings.caBundle !== null && !settings.caBundle.includes("-----BEGIN CERTIFICATE-----"))
    errors.push({ path: "/caBundle", message: "must be PEM certificates" });
  const share = settings.maxDeactivationShare;
  if (!(Number.isFinite(share) && share >= 0 && share <= 1))
    errors.push({ path: "/maxDeactivationShare", message: "must be a share from 0 to 1 (0.1 is 10 %)" });
  if (!Number.isInteger(settings.pageSize) || settings.pageSize < 1 || settings.pageSize > 5000)
    errors.push({ path: "/pageSize", message: "must be a whole number from 1 to 5000" });
  for (const [key, value] of Object.entries(settings.schedule)) {
    if (value !== null && !(Number.isInteger(value) && value >= 1 && value <= 7 * 24 * 60))
      errors.push({
        path: `/schedule/${key}`,
        message: "must be null (on demand only) or whole minutes from 1 to 10080",
      });
  }
  if (errors.length) throw validationFailed("the directory source is invalid", errors);
  return settings;
}

/** Directory sources: added, listed, removed and synced by admins (API and CLI alike). */
export class SourceService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly opts: { production: boolean },
    private readonly clock: Clock = systemClock,
  ) {}

  async addLdap(actor: Actor, input: AddLdapInput): Promise<DirectorySource> {
    const settings = settingsOf(input, this.opts.production);
    if (await this.store.directorySources.getByName(input.name))
      throw new DomainError("conflict", `a directory source named ${input.name} already exists`, { field: "/name" });
    const id = newId("dsrc");
    const at = this.clock.now().toISOString();
    const sealed = this.secrets.seal(input.bindPassword, bindPasswordContext(id));
    const row = await this.store.transaction(async (tx) => {
      const inserted = await tx.directorySources.insert({
        id,
        name: input.name,
        type: "ldap",
        settings,
        bindPasswordSealed: sealed,
        at,
      });
      await tx.log.append(
        logEvent(this.clock, actor, "directory.source.create", target(inserted), {
          after: settings,
          bindPassword: "set",
        }),
      );
      return inserted;
    });
    return toView(row);
  }

  /** Changes settings; fields left out keep their value (the mapping is re-derived only when the preset changes). */
  async update(actor: Actor, idOrName: string, patch: SourcePatch): Promise<DirectorySource> {
    const row = await this.row(idOrName);
    const current = row.settings;
    const presetChanged = patch.preset !== undefined && patch.preset !== current.preset;
    const settings = settingsOf(
      {
        ...current,
        mapping: presetChanged ? undefined : current.mapping,
        ...definedOnly(patch),
        name: row.name,
        bindPassword: patch.bindPassword ?? "unchanged",
      },
      this.opts.production,
    );
    const sealed = patch.bindPassword ? this.secrets.seal(patch.bindPassword, bindPasswordContext(row.id)) : null;
    const updated = await this.store.transaction(async (tx) => {
      const next = await tx.directorySources.update(row.id, settings, sealed, this.clock.now().toISOString());
      if (!next) throw notFound("directory source", idOrName);
      await tx.log.append(
        logEvent(this.clock, actor, "directory.source.update", target(row), {
          ...diff(current, settings),
          ...(sealed ? { bindPassword: "changed" } : {}),
        }),
      );
      return next;
    });
    return toView(updated);
  }

  async list(): Promise<DirectorySource[]> {
    return (await this.store.directorySources.list()).map(toView);
  }

  async get(idOrName: string): Promise<DirectorySource> {
    return toView(await this.row(idOrName));
  }

  /** The source goes; the people and groups it made stay (their groups keep the source's name). */
  async remove(actor: Actor, idOrName: string): Promise<void> {
    const row = await this.row(idOrName);
    await this.store.transaction(async (tx) => {
      await tx.directorySources.delete(row.id);
      await tx.log.append(
        logEvent(this.clock, actor, "directory.source.delete", target(row), { before: row.settings }),
      );
    });
  }

  /** Binds with the stored credentials and says whether the server accepted them. */
  async test(idOrName: string): Promise<{ ok: true }> {
    const row = await this.row(idOrName);
    const conn = await LdapConnection.open(
      row.settings,
      this.secrets.open(row.bindPasswordSealed, bindPasswordContext(row.id)),
    );
    await conn.close();
    return { ok: true };
  }

  async sync(actor: Actor, idOrName: string, opts: SyncOptions): Promise<SyncReport> {
    const row = await this.row(idOrName);
    // Checked again at every sync: the mode may have become production since the source was added.
    const transport = transportProblem(row.settings, this.opts.production);
    if (transport) throw new DomainError("conflict", `the source's URL is refused: ${transport}`, { field: "/url" });
    return runSync(this.store, this.secrets, this.clock, actor, row, opts);
  }

  /**
   * Role groups (local groups named `prefix…`, `aws#` by default) written to the directory under `ou`: planned
   * unless `apply`. The bind account needs write access there.
   */
  async writeBack(
    actor: Actor,
    idOrName: string,
    opts: { ou: string; prefix?: string | undefined; apply: boolean },
  ): Promise<WriteBackItem[]> {
    assertOu(opts.ou);
    const row = await this.row(idOrName);
    const transport = transportProblem(row.settings, this.opts.production);
    if (transport) throw new DomainError("conflict", `the source's URL is refused: ${transport}`, { field: "/url" });
    const prefix = opts.prefix ?? "aws#";
    const password = this.secrets.open(row.bindPasswordSealed, bindPasswordContext(row.id));
    const items = await writeBackRoleGroups(this.store, row, () => LdapConnection.open(row.settings, password), {
      ou: opts.ou,
      prefix,
      apply: opts.apply,
    });
    if (opts.apply)
      await this.store.log.append(
        logEvent(this.clock, actor, "directory.source.write_back", target(row), {
          ou: opts.ou,
          prefix,
          created: items.filter((i) => i.action === "create").length,
          updated: items.filter((i) => i.action === "add-members").length,
          refused: items.filter((i) => i.action === "refused").map((i) => ({ name: i.name, reason: i.reason })),
        }),
      );
    return items;
  }

  /**
   * Checks a directory person's password by binding as them: true or false, or null when the person does not sign
   * in through a directory (their rolebridge password applies). A directory that cannot be reached is a remote
   * failure, never a wrong password.
   */
  async verifyPassword(userId: string, password: string): Promise<boolean | null> {
    const link = await this.store.directorySources.sourceOfPerson(userId);
    if (!link) return null;
    const row = await this.store.directorySources.get(link.sourceId);
    if (!row?.settings.passwordSignIn) return null;
    // An empty password is an unauthenticated bind (RFC 4513 5.1.2), which many servers accept: never a sign-in.
    if (!password) return false;
    if (transportProblem(row.settings, this.opts.production)) return false;
    try {
      const conn = await LdapConnection.open({ ...row.settings, bindDn: link.dn }, password);
      await conn.close();
      return true;
    } catch (err) {
      if (err instanceof DomainError && err.details.resultCode === 49) return false;
      throw err;
    }
  }

  /**
   * The scheduled syncs that are due: a full one when the last successful full sync is older than its interval,
   * else an incremental one when the last sync of any kind is. The lease and the "synced before" condition let
   * every node call this and exactly one run each due sync. Failures are recorded on the source and returned.
   */
  async runDue(actor: Actor): Promise<{ source: string; kind: SyncKind; error?: string }[]> {
    const out: { source: string; kind: SyncKind; error?: string }[] = [];
    for (const row of await this.store.directorySources.list()) {
      const now = this.clock.now();
      const ago = (minutes: number | null) =>
        minutes === null ? null : new Date(+now - minutes * 60_000).toISOString();
      const { fullMinutes, incrementalMinutes } = row.settings.schedule;
      const fullBefore = ago(fullMinutes);
      // After a failure the next try waits one incremental interval (or a full one when there is none).
      const syncedBefore = ago(incrementalMinutes) ?? fullBefore;
      if (syncedBefore === null || (row.lastSync && row.lastSync.at >= syncedBefore)) continue;
      const fullDue = fullBefore !== null && (row.lastFullSync === null || row.lastFullSync < fullBefore);
      if (!fullDue && incrementalMinutes === null) continue;
      const kind: SyncKind = fullDue ? "full" : "incremental";
      const due = fullDue ? { syncedBefore, fullSyncedBefore: fullBefore ?? undefined } : { syncedBefore };
      if (transportProblem(row.settings, this.opts.production)) continue;
      try {
        const report = await runSync(this.store, this.secrets, this.clock, actor, row, { kind }, due);
        if (report) out.push({ source: row.name, kind: report.kind });
      } catch (err) {
        out.push({ source: row.name, kind, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  private async row(idOrName: string): Promise<DirectorySourceRow> {
    const row =
      (await this.store.directorySources.get(idOrName)) ?? (await this.store.directorySources.getByName(idOrName));
    if (!row) throw notFound("directory source", idOrName);
    return row;
  }
}

const target = (s: DirectorySourceRow) => ({ type: "directory_source", id: s.id, display: s.name });
