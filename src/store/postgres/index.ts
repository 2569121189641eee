import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Store } from "../contract.js";
import { kyselyStore, queryCounter } from "../kysely/repos.js";
import type { Database as Schema } from "../kysely/schema.js";
import { migrateToLatest } from "../migrations/index.js";

/** PostgreSQL for several stateless nodes sharing one database. */
export async function openPostgresStore(
  url: string,
  opts: { poolSize?: number; onIdleError?: (err: Error) => void; onQuery?: () => void } = {},
): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    // A database that is restarting or unreachable must fail a request, not hang it: a connection attempt gives
    // up after 5 s, a statement the server runs too long is cancelled by the server, and a query whose answer
    // never comes (the server gone without a word) fails on our side shortly after.
    connectionTimeoutMillis: 5_000,
    statement_timeout: 30_000,
    query_timeout: 35_000,
    idle_in_transaction_session_timeout: 60_000,
    // Notice a silently dropped connection (a failover, a NAT timeout) instead of writing into the void.
    keepAlive: true,
  });
  // An idle connection the server ends (a restart, a failover, an admin's terminate) is an 'error' on the pool;
  // unhandled, it would take the whole process down. The pool drops that client and the next query opens a
  // new one; until the server is back, queries fail and /readyz says so.
  pool.on("error", (err) => opts.onIdleError?.(err));
  // A client that is checked out but between queries (inside a transaction, or awaiting our code) gets the
  // server's "terminating connection" as an 'error' event too, where the pool has no listener: without this one
  // it would crash the process. The client is then unusable; the operation's next query fails, and the pool
  // drops the client when it is released.
  pool.on("connect", (client) => {
    client.on("error", (err) => opts.onIdleError?.(err));
  });
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), ...queryCounter(opts.onQuery) });
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return kyselyStore(db, "postgres", () => db.destroy());
}
