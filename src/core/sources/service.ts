import type { Store } from "../../store/contract.js";
import type { DirectorySourceRow } from "../../store/contract-sources.js";
import { type Actor, diff, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { DomainError, notFound } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { LdapConnection, transportProblem } from "./ldap-client.js";
import type { DirectorySource, SyncKind } from "./model.js";
import { type AddLdapInput, definedOnly, type SourcePatch, settingsOf } from "./settings.js";
import { bindPasswordContext, runSync, type SyncOptions, type SyncReport } from "./sync.js";
import { assertOu, type WriteBackItem, writeBackRoleGroups } from "./write-back.js";

export function toView(row: DirectorySourceRow): DirectorySource {
  const { bindPasswordSealed: _sealed, ...rest } = row;
  return { ...rest, bindPassword: "set" };
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
