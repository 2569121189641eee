/** One running server as it recorded itself at start (see migration 018). */
export interface ServerInfo {
  /** Which server: host name and listen address, so each node of a cluster keeps its own row. */
  node: string;
  /** Where people and AWS reach it: the base of every entityID and metadata URL. */
  publicUrl: string;
  /** The address it listens on. */
  listenUrl: string;
  /** Its SQLite data directory; null with PostgreSQL. */
  dataDir: string | null;
  startedAt: string;
}

export interface ServerInfoRepo {
  /** Records (or replaces) this node's row. */
  record(info: ServerInfo): Promise<void>;
  /** The most recently started server, or null when none ever ran on this store. */
  latest(): Promise<ServerInfo | null>;
}
