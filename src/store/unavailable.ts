/**
 * Whether `err` says the database could not be reached or dropped the connection (a restart, a failover, an
 * administrator's terminate), as opposed to refusing the statement. Such a request failed through no fault of
 * its own and may be retried: the shells answer 503, not 500.
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  // SQLSTATE class 08 (connection exception) and 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
  if (/^08/.test(code) || /^57P0[123]$/.test(code)) return true;
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  // node-postgres words these without a code.
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout/i.test(
    message,
  );
}
