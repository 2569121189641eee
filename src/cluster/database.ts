import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the cluster's throwaway database lives on; TEST_DATABASE_URL (as the test suite) or local trust auth. */
export const DEFAULT_PG_ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface ClusterDatabase {
  name: string;
  /** DATABASE_URL for the nodes. */
  url: string;
  /**
   * Ends every connection to this database (what a PostgreSQL restart does to the nodes), leaving the server
   * and everyone else's databases alone. Returns how many backends were ended.
   */
  terminateBackends(): Promise<number>;
  /** Connections open to this database now. */
  connections(): Promise<number>;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one cluster run, named so a leftover one is recognisable (rb_cluster_…). */
export async function createClusterDatabase(adminUrl = DEFAULT_PG_ADMIN_URL): Promise<ClusterDatabase> {
  // Only [a-z0-9_]: the name goes into DDL, which takes no parameters.
  const name = `rb_cluster_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    terminateBackends: () =>
      withAdmin(adminUrl, async (c) => {
        const r = await c.query(
          "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [name],
        );
        return r.rows.filter((row: { ended: boolean }) => row.ended).length;
      }),
    connections: () =>
      withAdmin(adminUrl, async (c) => {
        const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
        return (r.rows[0] as { n: number }).n;
      }),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
