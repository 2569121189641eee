import { isIP } from "node:net";
import { Attribute, Change, Client, type Entry, InvalidCredentialsError, ResultCodeError } from "ldapts";
import { DomainError, remoteFailed } from "../errors.js";
import { decodeEntriesFast } from "./ldap-fast-entries.js";
import type { LdapSettings } from "./model.js";

/** Generous for a slow directory, short enough that a dead server fails a sync instead of hanging it. */
const TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;

const LOOPBACK_NAMES = new Set(["localhost", "ip6-localhost"]);

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}

/**
 * Plain LDAP sends the bind password in the clear: production refuses it unless the server is on this machine.
 * `ldaps://` and `ldap://` + StartTLS are always allowed.
 */
export function transportProblem(settings: Pick<LdapSettings, "url" | "startTls">, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(settings.url);
  } catch {
    return "must be an ldap:// or ldaps:// URL";
  }
  if (url.protocol !== "ldap:" && url.protocol !== "ldaps:") return "must be an ldap:// or ldaps:// URL";
  if (url.pathname !== "/" && url.pathname !== "") return "must name only the scheme, host and port";
  if (url.protocol === "ldaps:" && settings.startTls)
    return "StartTLS applies to ldap:// only; ldaps:// is TLS already";
  if (production && url.protocol === "ldap:" && !settings.startTls && !isLoopbackHost(url.hostname)) {
    return "plain LDAP would send the bind password in the clear: use ldaps:// or StartTLS (plain LDAP is allowed in production only on loopback)";
  }
  return null;
}

/** A failure of the directory server: a remote failure with its result code, never our own auth error. */
export function remoteFailure(err: unknown, url: string, operation: string): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof ResultCodeError) {
    const message =
      err instanceof InvalidCredentialsError
        ? `the LDAP server ${url} refused the bind DN or password (invalidCredentials, result code 49)`
        : `the LDAP server ${url} failed the ${operation}: ${err.message} (result code ${err.code})`;
    return remoteFailed(message, {
      system: "ldap",
      remoteStatus: null,
      remoteCode: err.name,
      remoteMessage: err.message,
      resultCode: err.code,
      operation,
    });
  }
  const cause = err as { code?: unknown; message?: unknown };
  return remoteFailed(
    `the LDAP server ${url} could not be reached or dropped the connection during the ${operation}: ${String(cause.message ?? err)}`,
    {
      system: "ldap",
      remoteStatus: null,
      remoteCode: typeof cause.code === "string" ? cause.code : null,
      remoteMessage: String(cause.message ?? err),
      operation,
    },
  );
}

/** Each entry's attributes by lower-cased name, built once: a sync asks every entry for about ten of them. */
const byLowerName = new WeakMap<Entry, Map<string, (string | Buffer)[]>>();

/** Values of one attribute, case-insensitively (servers answer in their own spelling). */
export function values(entry: Entry, attribute: string): (string | Buffer)[] {
  // Servers mostly answer in the spelling asked for: the entry's own key then needs no index.
  if (attribute !== "dn" && Object.hasOwn(entry, attribute)) {
    const exact = entry[attribute] as string | Buffer | string[] | Buffer[];
    return Array.isArray(exact) ? exact : [exact];
  }
  let index = byLowerName.get(entry);
  if (!index) {
    index = new Map();
    for (const [key, v] of Object.entries(entry))
      if (key !== "dn") index.set(key.toLowerCase(), Array.isArray(v) ? v : [v]);
    byLowerName.set(entry, index);
  }
  return index.get(attribute.toLowerCase()) ?? [];
}

export function first(entry: Entry, attribute: string): string | null {
  const v = values(entry, attribute)[0];
  if (v === undefined) return null;
  return typeof v === "string" ? v : v.toString("utf8");
}

/** One bound connection to a directory. */
export class LdapConnection {
  private constructor(
    private readonly client: Client,
    readonly url: string,
  ) {}

  static async open(settings: LdapSettings, password: string): Promise<LdapConnection> {
    const tlsOptions = settings.caBundle ? { ca: [settings.caBundle] } : {};
    const client = new Client({
      url: settings.url,
      timeout: TIMEOUT_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      ...(settings.url.startsWith("ldaps:") ? { tlsOptions } : {}),
    });
    decodeEntriesFast(client);
    const conn = new LdapConnection(client, settings.url);
    try {
      // SNI takes host names only; for an IP address Node checks the certificate against the connected address.
      const host = new URL(settings.url).hostname;
      if (settings.startTls) await client.startTLS({ ...tlsOptions, ...(isIP(host) ? {} : { servername: host }) });
    } catch (err) {
      await conn.close();
      throw remoteFailure(err, settings.url, "StartTLS");
    }
    try {
      await client.bind(settings.bindDn, password);
    } catch (err) {
      await conn.close();
      throw remoteFailure(err, settings.url, "bind");
    }
    return conn;
  }

  /** Every matching entry, page by page (RFC 2696 paged results), handed to `onPage` as they arrive. */
  async searchPaged(
    base: string,
    filter: string,
    attributes: string[],
    opts: { pageSize: number; binary?: string[] },
    onPage: (entries: Entry[]) => void | Promise<void>,
  ): Promise<void> {
    try {
      const pages = this.client.searchPaginated(base, {
        scope: "sub",
        filter,
        attributes,
        paged: { pageSize: opts.pageSize },
        explicitBufferAttributes: opts.binary ?? [],
      });
      for await (const page of pages) await onPage(page.searchEntries);
    } catch (err) {
      throw remoteFailure(err, this.url, `search of ${base}`);
    }
  }

  /** One entry by DN, or null when it does not exist. */
  async read(dn: string, attributes: string[]): Promise<Entry | null> {
    try {
      const r = await this.client.search(dn, { scope: "base", attributes });
      return r.searchEntries[0] ?? null;
    } catch (err) {
      if (err instanceof ResultCodeError && err.code === 32) return null;
      throw remoteFailure(err, this.url, `read of ${dn}`);
    }
  }

  async add(dn: string, attributes: Record<string, string[]>): Promise<void> {
    try {
      await this.client.add(dn, attributes);
    } catch (err) {
      throw remoteFailure(err, this.url, `add of ${dn}`);
    }
  }

  async addValues(dn: string, attribute: string, values: string[]): Promise<void> {
    try {
      const modification = new Attribute({ type: attribute, values });
      await this.client.modify(dn, new Change({ operation: "add", modification }));
    } catch (err) {
      throw remoteFailure(err, this.url, `modify of ${dn}`);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The connection may already be gone (the server went down): nothing left to release.
    }
  }
}
